/**
 * The cluster folder (`--dir`, default `.flotilla`): `cluster.json` records every member's
 * ports, data dir, log file and last pid, so that no command needs ports typed by hand and
 * `flotilla up` on the same folder resumes the same cluster.
 *
 *   DIR/cluster.json     this file's record (written atomically: temp file, fsync, rename)
 *   DIR/data/m1/         m1's data dir (WAL, snapshots)
 *   DIR/logs/m1.log      m1's stdout and stderr (JSON lines), appended across restarts
 */
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  writeSync,
} from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import { CliError } from "./errors.js";

export const DEFAULT_CLUSTER_DIR = ".flotilla";
export const CLUSTER_FILE = "cluster.json";
export const CLUSTER_FILE_VERSION = 1;
/** Every member listens on loopback only. */
export const LOOPBACK_HOST = "127.0.0.1";

export type FsyncMode = "on" | "off";

/** One master as recorded in cluster.json. */
export interface MemberRecord {
  /** `m1`, `m2`, …: what `kill`, `restart` and `partition` take. */
  readonly name: string;
  readonly host: string;
  readonly clientPort: number;
  readonly peerPort: number;
  readonly httpPort: number;
  /** Relative to the cluster folder unless absolute. */
  readonly dataDir: string;
  /** Relative to the cluster folder unless absolute. */
  readonly logFile: string;
  /** The pid of the last process started for this member; it may have exited since. */
  readonly pid: number | null;
  /** When that process was started (ISO 8601). */
  readonly startedAt: string | null;
}

/** The whole of cluster.json. */
export interface ClusterRecord {
  readonly version: typeof CLUSTER_FILE_VERSION;
  readonly createdAt: string;
  readonly fsync: FsyncMode;
  readonly tickMs: number;
  readonly members: readonly MemberRecord[];
}

/** Ports for one member, as handed out by ports.ts. */
export interface MemberPorts {
  readonly clientPort: number;
  readonly peerPort: number;
  readonly httpPort: number;
}

/** A new cluster record: members m1…mN with the given ports, none started yet. */
export function newCluster(opts: {
  readonly fsync: FsyncMode;
  readonly tickMs: number;
  readonly ports: readonly MemberPorts[];
  readonly now?: Date;
}): ClusterRecord {
  return {
    version: CLUSTER_FILE_VERSION,
    createdAt: (opts.now ?? new Date()).toISOString(),
    fsync: opts.fsync,
    tickMs: opts.tickMs,
    members: opts.ports.map((p, i) => {
      const name = `m${i + 1}`;
      return {
        name,
        host: LOOPBACK_HOST,
        ...p,
        dataDir: join("data", name),
        logFile: join("logs", `${name}.log`),
        pid: null,
        startedAt: null,
      };
    }),
  };
}

/** The record with one member replaced (matched by name). */
export function withMember(rec: ClusterRecord, member: MemberRecord): ClusterRecord {
  return { ...rec, members: rec.members.map((m) => (m.name === member.name ? member : m)) };
}

/** `HOST:PORT` of the etcd gRPC API (what etcdctl's --endpoints takes). */
export function clientAddress(m: MemberRecord): string {
  return `${m.host}:${m.clientPort}`;
}

/** `http://HOST:PORT` of the Raft peer transport (as in --initial-cluster). */
export function peerURL(m: MemberRecord): string {
  return `http://${m.host}:${m.peerPort}`;
}

/** `http://HOST:PORT` of /healthz, /readyz, /status and /admin. */
export function httpURL(m: MemberRecord): string {
  return `http://${m.host}:${m.httpPort}`;
}

/** `m1=http://127.0.0.1:P,m2=…`: the master's --initial-cluster. */
export function initialClusterFlag(rec: ClusterRecord): string {
  return rec.members.map((m) => `${m.name}=${peerURL(m)}`).join(",");
}

/** The line `flotilla up` prints for etcd clients (ARCHITECTURE.md, "CLI conventions"). */
export function etcdctlLine(rec: ClusterRecord): string {
  return `etcdctl --endpoints=${rec.members.map(clientAddress).join(",")}`;
}

/** A path recorded relative to the cluster folder, made absolute. */
export function memberPath(dir: string, recorded: string): string {
  return isAbsolute(recorded) ? recorded : resolve(dir, recorded);
}

export function clusterFileOf(dir: string): string {
  return join(dir, CLUSTER_FILE);
}

export function hasCluster(dir: string): boolean {
  return existsSync(clusterFileOf(dir));
}

/** `--dir X` when X is not the default, for the hints we print. */
export function dirHint(dir: string): string {
  return dir === DEFAULT_CLUSTER_DIR ? "" : ` --dir ${dir}`;
}

/** The member called `name`, or an error listing the members there are. */
export function findMember(rec: ClusterRecord, name: string, dir: string): MemberRecord {
  const m = rec.members.find((x) => x.name === name);
  if (m) return m;
  throw new CliError(
    `no member "${name}" in ${dir}; its members are ${rec.members.map((x) => x.name).join(", ")}` +
      ` (or "leader")`,
  );
}

/** Reads DIR/cluster.json; a missing or damaged file is an error that says what to do. */
export function readCluster(dir: string): ClusterRecord {
  const file = clusterFileOf(dir);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === "ENOENT")
      throw new CliError(`no cluster in ${dir}: run \`flotilla up${dirHint(dir)}\` first`, { cause });
    throw new CliError(`cannot read ${file}: ${(cause as Error).message}`, { cause });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new CliError(
      `${file} is not valid JSON (${(cause as Error).message}); ` +
        `stop any masters by hand and remove ${dir} to start afresh`,
      { cause },
    );
  }
  return parseClusterRecord(json, file);
}

/** Checks the shape of cluster.json; errors name the file and the field. */
export function parseClusterRecord(json: unknown, file: string): ClusterRecord {
  const bad = (what: string): CliError =>
    new CliError(`${file}: ${what}; it was not written by this version of flotilla`);
  if (!isObject(json)) throw bad("not a JSON object");
  if (json["version"] !== CLUSTER_FILE_VERSION)
    throw bad(`version is ${String(json["version"])}, expected 1`);
  const fsync = json["fsync"];
  if (fsync !== "on" && fsync !== "off") throw bad(`fsync must be "on" or "off"`);
  const tickMs = json["tickMs"];
  if (!isPositiveInt(tickMs)) throw bad("tickMs must be a positive whole number");
  const members = json["members"];
  if (!Array.isArray(members) || members.length === 0) throw bad("members must be a non-empty list");
  const out: MemberRecord[] = members.map((m: unknown, i: number): MemberRecord => {
    const at = `members[${i}]`;
    if (!isObject(m)) throw bad(`${at} is not an object`);
    for (const k of ["name", "host", "dataDir", "logFile"] as const)
      if (typeof m[k] !== "string" || m[k] === "") throw bad(`${at}.${k} must be a non-empty string`);
    for (const k of ["clientPort", "peerPort", "httpPort"] as const)
      if (!isPositiveInt(m[k]) || (m[k] as number) > 65535) throw bad(`${at}.${k} must be a port number`);
    if (m["pid"] !== null && !isPositiveInt(m["pid"])) throw bad(`${at}.pid must be a pid or null`);
    if (m["startedAt"] !== null && typeof m["startedAt"] !== "string")
      throw bad(`${at}.startedAt must be a string or null`);
    return {
      name: m["name"] as string,
      host: m["host"] as string,
      clientPort: m["clientPort"] as number,
      peerPort: m["peerPort"] as number,
      httpPort: m["httpPort"] as number,
      dataDir: m["dataDir"] as string,
      logFile: m["logFile"] as string,
      pid: m["pid"] as number | null,
      startedAt: m["startedAt"] as string | null,
    };
  });
  const names = new Set(out.map((m) => m.name));
  if (names.size !== out.length) throw bad("two members have the same name");
  return {
    version: CLUSTER_FILE_VERSION,
    createdAt: typeof json["createdAt"] === "string" ? json["createdAt"] : "",
    fsync,
    tickMs,
    members: out,
  };
}

/** Writes DIR/cluster.json so that a reader sees the old or the new file, never a torn one. */
export function writeCluster(dir: string, rec: ClusterRecord): void {
  mkdirSync(dir, { recursive: true });
  const file = clusterFileOf(dir);
  const tmp = `${file}.tmp-${process.pid}`;
  const fd = openSync(tmp, "w", 0o644);
  try {
    writeSync(fd, `${JSON.stringify(rec, null, 2)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function isPositiveInt(v: unknown): v is number {
  return typeof v === "number" && Number.isInteger(v) && v > 0;
}
