/**
 * The master's replicated state machine, as the Raft runtime sees it: the MVCC store plus the
 * member-attribute table. Entries tagged ATTRIBUTES_TAG update the table; every other entry
 * is an MVCC command (`store.applyEntry`). The store's consistent index is the applied index
 * for both, so an attribute entry also marks the store applied.
 *
 * Snapshot layout: [magic "FMS1"][attribute JSON length u32 BE][attribute JSON][store
 * snapshot bytes (its chunks joined)]. The store's part is frozen when `snapshot` is called
 * and encoded as it is read (MvccStore.snapshot).
 */
import type { ApplyResult, MvccStore } from "../../../libs/mvcc/index.js";
import type { AppliedEntry, StateMachine } from "../raft/index.js";
import { ATTRIBUTES_TAG, AttributeTable, decodeAttributes, parseAttributes } from "./member-attributes.js";

const MAGIC = [0x46, 0x4d, 0x53, 0x31]; // "FMS1"
const HEADER_BYTES = 8;
/** About 3 ms of encoding each: the longest a snapshot holds the event loop at a time. */
const SNAPSHOT_CHUNK_BYTES = 256 * 1024;

/** What `apply` returns for an attribute entry. */
export interface AttributesApplied {
  readonly kind: "attributes";
  readonly index: number;
}

/** The snapshot bytes are not in the FMS1 format. */
export class MasterSnapshotError extends Error {
  override readonly name = "MasterSnapshotError";
}

export class MasterStateMachine implements StateMachine {
  readonly attributes = new AttributeTable();

  /** `nowMs` is the lease clock (the same one the backend's lessor calls use). */
  constructor(
    readonly store: MvccStore,
    private readonly nowMs: () => number = () => performance.now(),
  ) {}

  apply(entry: AppliedEntry): ApplyResult | AttributesApplied {
    if (entry.data[0] === ATTRIBUTES_TAG) {
      // A malformed record is skipped by every member alike: still deterministic.
      const attrs = decodeAttributes(entry.data);
      if (attrs !== undefined) this.attributes.set(attrs);
      this.store.markApplied(entry.index);
      return { kind: "attributes", index: entry.index };
    }
    const result = this.store.applyEntry(entry.index, entry.data);
    // On the leader, a lease granted just now gets its expiry now, not at the next expiry
    // check (which would let it live up to one check interval longer). Cheap otherwise.
    if (this.store.lessor.isLeader) this.store.lessor.expired(this.nowMs(), 0);
    return result;
  }

  markApplied(index: number): void {
    this.store.markApplied(index);
  }

  appliedIndex(): number {
    return this.store.consistentIndex;
  }

  snapshot(): Iterable<Uint8Array> {
    const json = new TextEncoder().encode(JSON.stringify(this.attributes.list()));
    const head = new Uint8Array(HEADER_BYTES + json.byteLength);
    head.set(MAGIC, 0);
    new DataView(head.buffer).setUint32(4, json.byteLength);
    head.set(json, HEADER_BYTES);
    // Frozen here, at appliedIndex(). Small chunks: the runtime encodes one per event-loop turn.
    const store = this.store.snapshot(SNAPSHOT_CHUNK_BYTES);
    return (function* () {
      yield head;
      yield* store;
    })();
  }

  restore(data: Uint8Array): void {
    if (data.byteLength < HEADER_BYTES || MAGIC.some((b, i) => data[i] !== b))
      throw new MasterSnapshotError("snapshot does not start with the FMS1 header");
    const jsonBytes = new DataView(data.buffer, data.byteOffset, data.byteLength).getUint32(4);
    if (HEADER_BYTES + jsonBytes > data.byteLength)
      throw new MasterSnapshotError(`attribute table of ${jsonBytes} bytes overruns the snapshot`);
    const parsed: unknown = JSON.parse(
      new TextDecoder().decode(data.subarray(HEADER_BYTES, HEADER_BYTES + jsonBytes)),
    );
    if (!Array.isArray(parsed)) throw new MasterSnapshotError("attribute table is not a list");
    const records = parsed.map((r: unknown) => {
      const a = parseAttributes(r);
      if (a === undefined) throw new MasterSnapshotError(`bad attribute record ${JSON.stringify(r)}`);
      return a;
    });
    // The store keeps its old state if the bytes are corrupt; only then replace the table.
    this.store.restore([data.subarray(HEADER_BYTES + jsonBytes)]);
    this.attributes.replace(records);
  }
}
