import {
  applyConfChange,
  type ConfState,
  decodeConfChange,
  type Entry,
  type Index,
  type Snapshot,
} from "../index.js";

/**
 * The application side of one node in the interaction environment: a replicated list of
 * strings (the normal entries' payloads) and the membership, as of each applied index, so a
 * snapshot can be taken at any applied index (etcd's raftexample keeps the same kind of state).
 */
export class StateMachine {
  /** What the snapshot we started from (or index 0) held. */
  private baseIndex: Index;
  private baseData: readonly string[];
  private baseConf: ConfState;
  /** One record per applied entry after the base. Invariant: indexes strictly increase. */
  private readonly history: { index: Index; data: string | undefined; conf: ConfState }[] = [];

  constructor(index: Index, data: readonly string[], conf: ConfState) {
    this.baseIndex = index;
    this.baseData = data;
    this.baseConf = conf;
  }

  /** The state a restarted node recovers: its storage's snapshot (possibly empty). */
  static fromSnapshot(s: Snapshot): StateMachine {
    return new StateMachine(s.metadata.index, decodeData(s.data), s.metadata.confState);
  }

  get applied(): Index {
    return this.history[this.history.length - 1]?.index ?? this.baseIndex;
  }

  /** Replaces everything with a snapshot received from the leader. */
  restore(s: Snapshot): void {
    this.baseIndex = s.metadata.index;
    this.baseData = decodeData(s.data);
    this.baseConf = s.metadata.confState;
    this.history.length = 0;
  }

  apply(ents: readonly Entry[]): void {
    const dec = new TextDecoder();
    for (const e of ents) {
      if (e.index !== this.applied + 1) {
        throw new Error(
          `state machine: applying ${e.index} after ${this.applied}: entries must be applied in order`,
        );
      }
      const conf = this.confAt(this.applied);
      if (e.type === "confChange") {
        this.history.push({
          index: e.index,
          data: undefined,
          conf: applyConfChange(conf, decodeConfChange(e.data)),
        });
      } else {
        const data = e.data.byteLength > 0 ? dec.decode(e.data) : undefined;
        this.history.push({ index: e.index, data, conf });
      }
    }
  }

  confAt(i: Index): ConfState {
    let conf = this.baseConf;
    for (const h of this.history) if (h.index <= i) conf = h.conf;
    return conf;
  }

  dataAt(i: Index): string[] {
    const out = [...this.baseData];
    for (const h of this.history) if (h.index <= i && h.data !== undefined) out.push(h.data);
    return out;
  }

  /** The snapshot payload at an applied index. */
  snapshotData(i: Index): Uint8Array {
    if (i > this.applied || i < this.baseIndex) {
      throw new Error(
        `state machine: cannot snapshot at ${i}: state known for [${this.baseIndex}, ${this.applied}]`,
      );
    }
    return new TextEncoder().encode(JSON.stringify(this.dataAt(i)));
  }
}

function decodeData(data: Uint8Array): string[] {
  if (data.byteLength === 0) return [];
  const parsed: unknown = JSON.parse(new TextDecoder().decode(data));
  if (!Array.isArray(parsed) || !parsed.every((x) => typeof x === "string")) {
    throw new Error("state machine: snapshot data is not a list of strings");
  }
  return parsed;
}
