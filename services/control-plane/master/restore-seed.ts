/**
 * The master's half of `flotilla snapshot restore`: a data dir seeded with a backup
 * (DIR/restore-from.snapshot and DIR/restore.json, written by the CLI) becomes, on the first
 * start, a Raft log that begins with one snapshot:
 *
 *   index K = the backup store's consistent index, term 1, voters = every --initial-cluster
 *   member, data = the member URLs plus the state machine's snapshot of the restored store.
 *
 * It replaces the bootstrap conf-change entries of a new cluster. Every member restored from the
 * same file with the same --initial-cluster writes the same snapshot, so they agree on the log
 * up to K without talking; the first election happens at term 2. The runtime then starts as on
 * any restart: it restores the state machine from that snapshot.
 */
import { existsSync, readFileSync, renameSync } from "node:fs";
import { join } from "node:path";
import { MvccStore } from "../../../libs/mvcc/index.js";
import { NONE, type NodeId } from "../../../libs/raft/index.js";
import { DurableStorage } from "../../../libs/storage/index.js";
import { unwrapSnapshotFile } from "../etcd/index.js";
import { encodeSnapshotData } from "../raft/index.js";
import type { ClusterEntry } from "./flags.js";
import { MasterStateMachine } from "./state-machine.js";

export const RESTORE_SEED_FILE = "restore-from.snapshot";
export const RESTORE_INFO_FILE = "restore.json";

/** A seed that cannot be used: the message names the file and what to do. */
export class RestoreSeedError extends Error {
  override readonly name = "RestoreSeedError";
}

export interface SeedOptions {
  readonly dataDir: string;
  readonly name: string;
  readonly join: boolean;
  readonly fsync: boolean;
  /** The founding members with their Raft ids, in --initial-cluster order. */
  readonly initialCluster: ReadonlyArray<ClusterEntry & { readonly id: NodeId }>;
}

/** Seeds the Raft log from a restore seed if there is one; returns the restored index, or undefined. */
export async function seedFromRestore(o: SeedOptions): Promise<number | undefined> {
  const seedPath = join(o.dataDir, RESTORE_SEED_FILE);
  if (!existsSync(seedPath)) return undefined;
  if (o.join)
    throw new RestoreSeedError(
      `${seedPath}: a restored member founds a new cluster; start it without --join`,
    );
  checkInfo(join(o.dataDir, RESTORE_INFO_FILE), o);

  const store = new MvccStore();
  try {
    store.restore([unwrapSnapshotFile(readFileSync(seedPath))]);
  } catch (err) {
    throw new RestoreSeedError(
      `${seedPath}: not a usable backup (${(err as Error).message}); take a new one with \`flotilla snapshot save\``,
      { cause: err },
    );
  }
  const index = Math.max(1, store.consistentIndex);
  const data = encodeSnapshotData(
    o.initialCluster.map((m) => ({ id: m.id, url: m.peerAddr })),
    [...new MasterStateMachine(store).snapshot()],
  );
  const voters = o.initialCluster.map((m) => m.id).sort((a, b) => a - b);

  const storage = await DurableStorage.open(o.dataDir, { fsync: o.fsync });
  try {
    if (storage.storage.lastIndex() !== 0) {
      throw new RestoreSeedError(
        `${seedPath} sits next to existing Raft state in ${o.dataDir}: restore into an empty data dir`,
      );
    }
    await storage.persist(
      {
        hardState: { term: 1, vote: NONE, commit: index },
        entries: [],
        snapshot: { metadata: { index, term: 1, confState: { voters, learners: [] } }, data },
      },
      true,
    );
  } finally {
    await storage.close();
  }
  // Only once the log holds the snapshot: a crash before this line seeds again from scratch.
  renameSync(seedPath, `${seedPath}.done`);
  return index;
}

/** The seed was made for this member and this cluster: same name, same founding members. */
function checkInfo(infoPath: string, o: SeedOptions): void {
  if (!existsSync(infoPath))
    throw new RestoreSeedError(
      `${infoPath} is missing: seed the data dir with \`flotilla snapshot restore\``,
    );
  let info: { name?: unknown; initialCluster?: unknown };
  try {
    info = JSON.parse(readFileSync(infoPath, "utf8")) as typeof info;
  } catch (err) {
    throw new RestoreSeedError(`${infoPath} is not JSON: seed the data dir again`, { cause: err });
  }
  if (info.name !== o.name) {
    throw new RestoreSeedError(`${infoPath} was made for member "${String(info.name)}", not "${o.name}"`);
  }
  const seeded = new Set(
    String(info.initialCluster)
      .split(",")
      .map((p) => p.trim()),
  );
  const flags = new Set(o.initialCluster.map((m) => `${m.name}=${m.peerUrl}`));
  const same = seeded.size === flags.size && [...flags].every((f) => seeded.has(f));
  if (!same) {
    throw new RestoreSeedError(
      `${infoPath} was made for --initial-cluster ${String(info.initialCluster)}: start the master with the same one`,
    );
  }
}
