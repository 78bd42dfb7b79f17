/**
 * The replicated state, in one object so that snapshot restore can swap it whole.
 *
 * Invariants: compactRevision <= currentRevision; every history in `index` is non-empty;
 * `log` holds every change with modRevision >= compactRevision; each live key with a lease
 * is in that lease's key set and nowhere else.
 */
import { KeyIndex } from "./key-index.js";
import { LeaseTable } from "./lease-table.js";
import { RevisionLog } from "./revision-log.js";

export class StoreState {
  index = new KeyIndex();
  log = new RevisionLog();
  leases = new LeaseTable();
  /** The revision of the last write. A fresh store is at 1, as a fresh etcd. */
  currentRevision = 1;
  /** Reads below this fail as compacted. 0 = never compacted. */
  compactRevision = 0;
  /** The last Raft index applied (etcd's consistent index). */
  consistentIndex = 0;
}
