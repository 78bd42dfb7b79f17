/**
 * `flotilla snapshot save FILE`: a backup of the store, streamed from one member through
 * Maintenance.Snapshot (the same stream `etcdctl snapshot save` reads).
 *
 * `flotilla snapshot restore FILE --data-dir DIR --name m1 --initial-cluster …`: seeds a new
 * member's data dir from a backup. It writes, into an empty DIR:
 *
 *   DIR/restore-from.snapshot   the backup, byte for byte (checked: size, SHA-256, length)
 *   DIR/restore.json            { version: 1, name, initialCluster, snapshotBytes, dataBytes, sha256, source, createdAt }
 *
 * What `flotilla master` must do with it (its side of the contract) on a start that finds
 * no Raft state in DIR (identity "created") and DIR/restore-from.snapshot present:
 * check restore.json's name and initialCluster against its flags; `unwrapSnapshotFile` the
 * seed (services/control-plane/etcd/snapshot-envelope.ts) into MvccStore snapshot bytes;
 * restore them into the store; write a first Raft snapshot at index K = the restored store's
 * consistent index (term 1, voters = every --initial-cluster member, data = the member URLs
 * and the state machine's snapshot), identical on every member restored from the same file,
 * instead of the bootstrap conf-change entries; then rename the seed to
 * restore-from.snapshot.done and log "restored from snapshot". A seed found next to existing
 * Raft state, or with --join, is refused with an error naming the file.
 */
import { createHash } from "node:crypto";
import {
  closeSync,
  copyFileSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeSync,
} from "node:fs";
import { join, resolve } from "node:path";
import { SnapshotFileError, unwrapSnapshotFile } from "../../control-plane/etcd/snapshot-envelope.js";
import {
  RESTORE_INFO_FILE,
  RESTORE_SEED_FILE as RESTORE_SNAPSHOT_FILE,
} from "../../control-plane/master/restore-seed.js";
import { clientAddress, DEFAULT_CLUSTER_DIR, readCluster } from "../support/cluster-dir.js";
import { CliError, parseCommand, UsageError, usageCheck } from "../support/errors.js";
import { leaderOf, probeCluster } from "../support/probe.js";
import { fsyncDir, saveSnapshot } from "../support/snapshot-client.js";
import { intFlag } from "./flags.js";

// The seed's file names are the master's (it reads them): one definition, in restore-seed.ts.
export { RESTORE_INFO_FILE, RESTORE_SNAPSHOT_FILE };

const SAVE_USAGE = "flotilla snapshot save FILE [--dir .flotilla | --endpoints HOST:PORT,…] [--timeout 60]";
const RESTORE_USAGE =
  "flotilla snapshot restore FILE --data-dir DIR --name m1 --initial-cluster m1=http://HOST:PORT,…";
const USAGE = `${SAVE_USAGE}\n       ${RESTORE_USAGE}`;

export async function runSnapshot(argv: readonly string[]): Promise<number> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case "save":
      return runSave(rest);
    case "restore":
      return runRestore(rest);
    default:
      throw new UsageError(
        sub === undefined ? "snapshot needs save or restore" : `unknown snapshot command "${sub}"`,
        USAGE,
      );
  }
}

async function runSave(argv: readonly string[]): Promise<number> {
  const args = parseCommand(
    argv,
    { values: { dir: DEFAULT_CLUSTER_DIR, endpoints: "", timeout: "60" } },
    SAVE_USAGE,
  );
  if (args.positionals.length !== 1) throw new UsageError("name the file to save to", SAVE_USAGE);
  if (args.given.has("dir") && args.given.has("endpoints"))
    throw new UsageError("give --dir or --endpoints, not both", SAVE_USAGE);
  const timeoutMs = usageCheck(SAVE_USAGE, () => intFlag(args.values, "timeout", 1, 3600) * 1000);
  const file = resolve(args.positionals[0]!);
  const targets = args.given.has("endpoints")
    ? args.values["endpoints"]!.split(",").map((e) => ({ name: e, address: e.replace(/^https?:\/\//, "") }))
    : await clusterTargets(args.values["dir"]!);

  const failures: string[] = [];
  for (const t of targets) {
    try {
      const saved = await saveSnapshot(t.address, file, timeoutMs);
      console.log(
        `Saved a snapshot of ${t.name} (revision ${saved.revision || "?"}, ${saved.dataBytes} bytes of store, ` +
          `${saved.fileBytes} bytes in all) to ${file}.`,
      );
      return 0;
    } catch (err) {
      failures.push(`${t.name}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  throw new CliError(
    `no member gave a snapshot:\n  ${failures.join("\n  ")}\n\`flotilla status\` shows which members run`,
  );
}

/** The members to ask, those that answer first and the leader before them. */
async function clusterTargets(dir: string): Promise<{ name: string; address: string }[]> {
  const rec = readCluster(dir);
  const views = await probeCluster(dir, rec);
  const lead = leaderOf(views);
  const order = [...views].sort((a, b) => rank(a) - rank(b));
  function rank(v: (typeof views)[number]): number {
    return v === lead ? 0 : v.state === "up" ? 1 : 2;
  }
  return order.map((v) => ({ name: v.record.name, address: clientAddress(v.record) }));
}

function runRestore(argv: readonly string[]): number {
  const args = parseCommand(
    argv,
    { values: { "data-dir": "", name: "", "initial-cluster": "" } },
    RESTORE_USAGE,
  );
  if (args.positionals.length !== 1) throw new UsageError("name the snapshot file to restore", RESTORE_USAGE);
  for (const f of ["data-dir", "name", "initial-cluster"])
    if (!args.values[f]) throw new UsageError(`--${f} is required`, RESTORE_USAGE);
  const file = resolve(args.positionals[0]!);
  const dataDir = resolve(args.values["data-dir"]!);
  const name = args.values["name"]!;
  const initialCluster = args.values["initial-cluster"]!;
  const names = initialCluster.split(",").map((p) => p.slice(0, Math.max(0, p.indexOf("="))).trim());
  if (names.some((n) => n === ""))
    throw new UsageError("--initial-cluster is NAME=http://HOST:PORT,…", RESTORE_USAGE);
  if (!names.includes(name))
    throw new UsageError(
      `--initial-cluster does not list ${name} (add ${name}=http://HOST:PORT)`,
      RESTORE_USAGE,
    );

  if (!existsSync(file))
    throw new CliError(`no snapshot file ${file}; \`flotilla snapshot save FILE\` makes one`);
  const bytes = readFileSync(file);
  let dataBytes: number;
  try {
    dataBytes = unwrapSnapshotFile(bytes).length;
  } catch (err) {
    if (err instanceof SnapshotFileError)
      throw new CliError(`${file} is not a usable snapshot: ${err.message}`);
    throw err;
  }
  if (existsSync(dataDir) && (!statSync(dataDir).isDirectory() || readdirSync(dataDir).length > 0))
    throw new CliError(
      `${dataDir} is not empty; restore into a new data dir (a member's existing data is never overwritten)`,
    );

  mkdirSync(dataDir, { recursive: true });
  const seedTmp = join(dataDir, `.${RESTORE_SNAPSHOT_FILE}.tmp`);
  copyFileSync(file, seedTmp);
  fsyncFile(seedTmp);
  renameSync(seedTmp, join(dataDir, RESTORE_SNAPSHOT_FILE));
  const info = {
    version: 1,
    name,
    initialCluster,
    snapshotBytes: bytes.length,
    dataBytes,
    sha256: createHash("sha256").update(bytes).digest("hex"),
    source: file,
    createdAt: new Date().toISOString(),
  };
  writeDurable(join(dataDir, RESTORE_INFO_FILE), `${JSON.stringify(info, null, 2)}\n`);
  fsyncDir(dataDir);
  console.log(`Seeded ${dataDir} for ${name} from ${file} (${dataBytes} bytes of store).`);
  console.log(
    `Start it with:\n  flotilla master --name ${name} --data-dir ${dataDir} --initial-cluster ${initialCluster} ` +
      `--listen-peer … --listen-client … --listen-http …\n` +
      `Restore every member of the new cluster from the same file, each into its own data dir.`,
  );
  return 0;
}

function fsyncFile(path: string): void {
  writeDurable(path, undefined);
}

/** Writes `text` (when given) to `path` and fsyncs it. */
function writeDurable(path: string, text: string | undefined): void {
  const fd = openSync(path, text === undefined ? "r+" : "w", 0o644);
  try {
    if (text !== undefined) writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
