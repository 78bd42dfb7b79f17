/**
 * The command line of `flotilla master`, parsed and validated into a MasterConfig. Every
 * error names the flag and says what is wrong with it.
 */
import { DEFAULT_CLUSTER_TOKEN, peerAddress } from "./ids.js";

/** One entry of --initial-cluster. */
export interface ClusterEntry {
  readonly name: string;
  /** As given: "http://host:port". */
  readonly peerUrl: string;
  /** "host:port", what the Raft transport dials. */
  readonly peerAddr: string;
}

/** A listen address. */
export interface HostPort {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
}

export interface MasterConfig {
  readonly name: string;
  readonly dataDir: string;
  readonly listenPeer: HostPort;
  readonly listenClient: HostPort;
  readonly listenHttp: HostPort;
  readonly initialCluster: readonly ClusterEntry[];
  readonly clusterToken: string;
  readonly fsync: boolean;
  readonly tickMs: number;
  readonly electionTicks: number;
  readonly join: boolean;
  /** Proposals in flight on this member before RESOURCE_EXHAUSTED. */
  readonly maxInflightProposals: number;
  /** etcd's --max-request-bytes. */
  readonly maxRequestBytes: number;
  /** Snapshot (and compact the log) every this many applied entries. */
  readonly snapshotEntries: number;
  /** The wire between masters; every member of a cluster must use the same one. */
  readonly peerProtocol: "grpc" | "tcp";
}

/** A flag is missing or has a bad value; `flag` names it. */
export class FlagError extends Error {
  override readonly name = "FlagError";
  constructor(
    readonly flag: string,
    reason: string,
  ) {
    super(`--${flag}: ${reason}`);
  }
}

const VALUE_FLAGS = {
  name: "",
  "data-dir": "",
  "listen-peer": "",
  "listen-client": "",
  "listen-http": "",
  "initial-cluster": "",
  "initial-cluster-token": DEFAULT_CLUSTER_TOKEN,
  fsync: "on",
  "tick-ms": "100",
  "election-ticks": "10",
  "max-inflight-proposals": "10000",
  "max-request-bytes": String(1.5 * 1024 * 1024),
  // etcd's default --snapshot-count. A snapshot encodes the whole store (etcd's state is in
  // bbolt already and costs it far less), so snapshotting more often costs CPU for nothing.
  "snapshot-entries": "100000",
  "peer-protocol": "grpc",
} as const;
type ValueFlag = keyof typeof VALUE_FLAGS;
const SWITCHES = ["join"] as const;

export const MASTER_USAGE = `flotilla master — runs one master (Raft member, etcd v3 API and resource API, HTTP)

Usage:
  flotilla master --name m1 --data-dir DIR --listen-peer HOST:PORT --listen-client HOST:PORT
                  --listen-http HOST:PORT --initial-cluster m1=http://HOST:PORT,m2=...,m3=...
                  [--fsync on|off] [--tick-ms 100] [--election-ticks 10] [--join]
                  [--initial-cluster-token ${DEFAULT_CLUSTER_TOKEN}] [--max-inflight-proposals 10000]
                  [--max-request-bytes 1572864] [--snapshot-entries 100000] [--peer-protocol grpc|tcp]

  The etcd v3 API and the resource API (gRPC flotilla.apipb.Resources) share --listen-client;
  --max-request-bytes also bounds one stored API object.
  --peer-protocol picks the wire between masters: one gRPC stream per peer pair (default), or
  length-prefixed frames on plain TCP (cheaper per message; every member must use the same).
  --initial-cluster lists peer URLs by member name, this member included. With --join the
  member starts empty and waits to be added (etcdctl member add NAME --peer-urls=URL first).`;

/** Parses `argv` (the arguments after "master"); throws FlagError. */
export function parseMasterFlags(argv: readonly string[]): MasterConfig {
  const v = readFlags(argv);
  const name = required(v, "name");
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(name))
    throw new FlagError("name", `"${name}" must be 1-63 letters, digits, ".", "_" or "-"`);
  const initialCluster = parseInitialCluster(required(v, "initial-cluster"));
  if (!initialCluster.some((e) => e.name === name))
    throw new FlagError(
      "initial-cluster",
      `does not list this member "${name}" (add ${name}=http://HOST:PORT)`,
    );
  const fsync = v.values.fsync;
  if (fsync !== "on" && fsync !== "off") throw new FlagError("fsync", `must be on or off, got "${fsync}"`);
  const peerProtocol = v.values["peer-protocol"];
  if (peerProtocol !== "grpc" && peerProtocol !== "tcp")
    throw new FlagError("peer-protocol", `must be grpc or tcp, got "${peerProtocol}"`);
  const token = v.values["initial-cluster-token"];
  if (token === "") throw new FlagError("initial-cluster-token", "must not be empty");
  return {
    name,
    dataDir: required(v, "data-dir"),
    listenPeer: hostPort(v, "listen-peer"),
    listenClient: hostPort(v, "listen-client"),
    listenHttp: hostPort(v, "listen-http"),
    initialCluster,
    clusterToken: token,
    fsync: fsync === "on",
    tickMs: int(v, "tick-ms", 1, 10_000),
    electionTicks: int(v, "election-ticks", 2, 1000),
    join: v.switches.has("join"),
    maxInflightProposals: int(v, "max-inflight-proposals", 1, 1_000_000),
    maxRequestBytes: int(v, "max-request-bytes", 1024, 64 * 1024 * 1024),
    snapshotEntries: int(v, "snapshot-entries", 1, 100_000_000),
    peerProtocol,
  };
}

interface RawFlags {
  readonly values: Record<ValueFlag, string>;
  readonly switches: Set<string>;
}

function readFlags(argv: readonly string[]): RawFlags {
  const values: Record<ValueFlag, string> = { ...VALUE_FLAGS };
  const switches = new Set<string>();
  const known = [...Object.keys(VALUE_FLAGS), ...SWITCHES].map((k) => `--${k}`).join(", ");
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith("--")) throw new FlagError("?", `unexpected argument "${a}" (flags start with --)`);
    const eq = a.indexOf("=");
    const flag = eq >= 0 ? a.slice(2, eq) : a.slice(2);
    const inline = eq >= 0 ? a.slice(eq + 1) : undefined;
    if ((SWITCHES as readonly string[]).includes(flag)) {
      if (inline === undefined || inline === "true") switches.add(flag);
      else if (inline === "false") switches.delete(flag);
      else throw new FlagError(flag, `takes no value (got "${inline}")`);
      continue;
    }
    if (!(flag in VALUE_FLAGS)) throw new FlagError(flag, `unknown flag; known flags: ${known}`);
    const value = inline ?? argv[++i];
    if (value === undefined) throw new FlagError(flag, "needs a value");
    values[flag as ValueFlag] = value;
  }
  return { values, switches };
}

function required(v: RawFlags, flag: ValueFlag): string {
  const s = v.values[flag];
  if (s === "") throw new FlagError(flag, "is required");
  return s;
}

function int(v: RawFlags, flag: ValueFlag, min: number, max: number): number {
  const s = v.values[flag];
  const n = Number(s);
  if (!/^\d+$/.test(s) || n < min || n > max)
    throw new FlagError(flag, `must be a whole number from ${min} to ${max}, got "${s}"`);
  return n;
}

function hostPort(v: RawFlags, flag: ValueFlag): HostPort {
  const s = required(v, flag).replace(/^https?:\/\//, "");
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:[\]/]+):(\d{1,5})$/.exec(s);
  if (!m) throw new FlagError(flag, `"${s}" is not HOST:PORT`);
  const port = Number(m[2]);
  if (port > 65535) throw new FlagError(flag, `port ${port} is above 65535`);
  return { host: m[1]!.replace(/^\[|\]$/g, ""), port };
}

function parseInitialCluster(s: string): ClusterEntry[] {
  const out: ClusterEntry[] = [];
  for (const part of s.split(",")) {
    const eq = part.indexOf("=");
    if (eq <= 0) throw new FlagError("initial-cluster", `"${part}" is not NAME=http://HOST:PORT`);
    const name = part.slice(0, eq).trim();
    const peerUrl = part.slice(eq + 1).trim();
    let peerAddr: string;
    try {
      peerAddr = peerAddress(peerUrl);
    } catch (e) {
      throw new FlagError("initial-cluster", `member ${name}: ${(e as Error).message}`);
    }
    if (out.some((x) => x.name === name))
      throw new FlagError("initial-cluster", `member name "${name}" appears twice`);
    if (out.some((x) => x.peerAddr === peerAddr))
      throw new FlagError("initial-cluster", `peer address ${peerAddr} appears twice`);
    out.push({ name, peerUrl, peerAddr });
  }
  return out;
}

/** "host:port" for a listen address, bracketing IPv6 hosts. */
export function formatHostPort(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}
