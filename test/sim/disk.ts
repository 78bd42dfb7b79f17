import type { HardState, Ready, Snapshot } from "../../libs/raft/index.js";
import { MemoryStorage } from "../../libs/raft/index.js";

/**
 * One node's disk. `storage` is what is durable. Writes happen synchronously while the node
 * handles a Ready, so a crash between steps loses nothing handed over; the one exception is
 * a hard state written without sync (Ready.mustSync false: only the commit index moved), which a
 * crash may lose when `loseUnsynced` is on, as an unsynced write to a real disk may be lost.
 */
export class SimDisk {
  readonly storage = new MemoryStorage();
  /** The newest hard state known to be synced; what survives a crash that loses unsynced writes. */
  private synced: HardState;
  /** Writes since the last sync (bounded: only the newest hard state matters). */
  private dirty = false;

  constructor() {
    this.synced = this.storage.initialState().hardState;
  }

  /**
   * Persists what a Ready hands over, in etcd's order: snapshot, entries, hard state.
   * Returns a complaint if the Ready asked for something the contract does not allow.
   */
  persist(rd: Ready): string | undefined {
    let problem: string | undefined;
    if (rd.snapshot !== undefined && rd.snapshot.metadata.index > 0) {
      if (this.storage.applySnapshot(rd.snapshot) === "outOfDate") {
        problem = `Ready carried snapshot ${rd.snapshot.metadata.index} older than the durable one`;
      }
    }
    this.storage.append(rd.entries);
    if (rd.hardState !== undefined) this.storage.setHardState(rd.hardState);
    if (rd.mustSync) this.sync();
    else if (rd.hardState !== undefined) this.dirty = true;
    return problem;
  }

  /** An fsync: everything written so far is durable. */
  sync(): void {
    this.synced = this.storage.initialState().hardState;
    this.dirty = false;
  }

  /** What a crash does to this disk. */
  crash(loseUnsynced: boolean): void {
    if (loseUnsynced && this.dirty) this.storage.setHardState(this.synced);
    this.dirty = false;
  }

  durableSnapshot(): Snapshot | undefined {
    const s = this.storage.snapshot();
    return typeof s === "string" ? undefined : s;
  }
}
