import type { Entry, NodeId } from "../../libs/raft/index.js";
import { entryDigest, fromUtf8, hashBytes, utf8 } from "./hash.js";

/**
 * The replicated application, as the simulator sees it. The seam for running a real state
 * machine (libs/mvcc) under the simulator: implement this and pass a factory to the driver.
 *
 * Contract: `apply` receives every committed entry in index order, including the empty
 * no-op a new leader appends and conf-change entries (which the state machine may ignore);
 * it must be deterministic. `snapshot()`/`restore()` round-trip the whole state; `hash()`
 * identifies the state: two replicas that applied the same entries have equal hashes.
 */
export interface StateMachine {
  apply(entry: Entry): void;
  /**
   * Optional: an entry at or below the applied index, handed again after a restart in the
   * "durableSkip" mode. A state machine that keeps its own applied index (etcd's consistent
   * index) receives it and must leave its state unchanged; without this method the node
   * skips such entries itself.
   */
  replay?(entry: Entry): void;
  snapshot(): Uint8Array;
  restore(data: Uint8Array): void;
  hash(): string;
}

/** Makes a node's state machine (again on every restart that loses it); `node` says whose. */
export type StateMachineFactory = (node: NodeId) => StateMachine;

/**
 * The default state machine: a hash chain over every applied entry (index, term, type, data)
 * and a count of client payloads. Equal hashes at equal indexes mean equal histories.
 */
export class HashChainStateMachine implements StateMachine {
  private chain = 0;
  private payloads = 0;

  apply(entry: Entry): void {
    const link = utf8(`${this.chain}|${entry.index}|${entryDigest(entry)}`);
    this.chain = hashBytes(link, entry.index | 0);
    if (entry.type === "normal" && entry.data.byteLength > 0) this.payloads++;
  }

  snapshot(): Uint8Array {
    return utf8(JSON.stringify({ chain: this.chain, payloads: this.payloads }));
  }

  restore(data: Uint8Array): void {
    if (data.byteLength === 0) {
      this.chain = 0;
      this.payloads = 0;
      return;
    }
    const parsed: unknown = JSON.parse(fromUtf8(data));
    if (!isChainState(parsed)) throw new Error(`not a hash-chain snapshot: ${fromUtf8(data).slice(0, 80)}`);
    this.chain = parsed.chain;
    this.payloads = parsed.payloads;
  }

  hash(): string {
    return `${this.chain.toString(36)}/${this.payloads}`;
  }
}

function isChainState(x: unknown): x is { chain: number; payloads: number } {
  if (typeof x !== "object" || x === null) return false;
  const o = x as Record<string, unknown>;
  return typeof o["chain"] === "number" && typeof o["payloads"] === "number";
}

export const hashChainFactory: StateMachineFactory = () => new HashChainStateMachine();
