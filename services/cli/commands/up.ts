/**
 * `flotilla up`: starts (or resumes) a cluster of masters on loopback, waits for a leader,
 * prints the endpoints; then, in the foreground, shows elections as they happen until
 * Ctrl-C stops every master, or, with --detach, leaves them running.
 */
import {
  type ClusterRecord,
  clientAddress,
  DEFAULT_CLUSTER_DIR,
  dirHint,
  etcdctlLine,
  type FsyncMode,
  hasCluster,
  httpURL,
  LOOPBACK_HOST,
  type MemberRecord,
  memberPath,
  newCluster,
  peerURL,
  readCluster,
  withMember,
  writeCluster,
} from "../support/cluster-dir.js";
import { CliError, parseCommand, UsageError, usageCheck } from "../support/errors.js";
import { ClusterFollower } from "../support/log-follow.js";
import { formatMs } from "../support/output.js";
import { freeMemberPorts, portFree } from "../support/ports.js";
import { leaderOf } from "../support/probe.js";
import { isMasterAlive, type Started, signalPid, spawnMaster, stopMembers } from "../support/process.js";
import { waitForLeader } from "../support/wait.js";
import { choiceFlag, intFlag } from "./flags.js";

const USAGE =
  "flotilla up [--masters 3] [--dir .flotilla] [--detach] [--fsync on|off] [--tick-ms 100] [--timeout 30]";
/** How long masters get to exit after SIGTERM before SIGKILL, when `up` stops them. */
export const STOP_GRACE_MS = 10_000;

interface UpOptions {
  readonly dir: string;
  readonly masters: number | undefined;
  readonly fsync: FsyncMode | undefined;
  readonly tickMs: number | undefined;
  readonly timeoutMs: number;
  readonly detach: boolean;
}

function parseUp(argv: readonly string[]): UpOptions {
  const args = parseCommand(
    argv,
    {
      values: { masters: "3", dir: DEFAULT_CLUSTER_DIR, fsync: "on", "tick-ms": "100", timeout: "30" },
      switches: ["detach"],
    },
    USAGE,
  );
  if (args.positionals.length) throw new UsageError(`unexpected argument "${args.positionals[0]}"`, USAGE);
  const v = args.values;
  return usageCheck(USAGE, () => ({
    dir: v["dir"]!,
    masters: args.given.has("masters") ? intFlag(v, "masters", 1, 9) : undefined,
    fsync: args.given.has("fsync") ? choiceFlag(v, "fsync", ["on", "off"] as const) : undefined,
    tickMs: args.given.has("tick-ms") ? intFlag(v, "tick-ms", 5, 10_000) : undefined,
    timeoutMs: intFlag(v, "timeout", 1, 3600) * 1000,
    detach: args.switches.has("detach"),
  }));
}

export async function runUp(argv: readonly string[]): Promise<number> {
  const opts = parseUp(argv);
  const { dir } = opts;
  const rec = await loadOrCreate(opts);
  const running = rec.members.filter((m) => isMasterAlive(dir, m));
  if (running.length === rec.members.length) {
    console.log(
      `The cluster in ${dir} is already running (${running.map((m) => `${m.name} pid ${m.pid}`).join(", ")}).`,
    );
    printEndpoints(rec);
    console.log(`\n\`flotilla status${dirHint(dir)}\` shows it; \`flotilla down${dirHint(dir)}\` stops it.`);
    return 0;
  }
  for (const m of running) console.log(`${m.name} is already running (pid ${m.pid}); not starting another.`);
  const toStart = rec.members.filter((m) => !running.includes(m));
  await checkPortsFree(dir, toStart);

  const started = new Map<string, Started>();
  let current = rec;
  console.log(
    `Starting ${toStart.map((m) => m.name).join(", ")} in ${dir} (fsync ${rec.fsync}, tick ${rec.tickMs} ms)`,
  );
  for (const m of toStart) {
    const s = spawnMaster(dir, current, m);
    started.set(m.name, s);
    current = withMember(current, { ...m, pid: s.pid, startedAt: new Date().toISOString() });
  }
  writeCluster(dir, current);
  for (const m of current.members) {
    console.log(
      `  ${m.name}  pid ${String(m.pid).padEnd(7)} client ${clientAddress(m)}  peer ${peerURL(m)}  ` +
        `http ${httpURL(m)}  log ${memberPath(dir, m.logFile)}`,
    );
  }

  const t0 = Date.now();
  // Ctrl-C while waiting: stop what was started rather than leave it running unseen.
  const interrupt = new AbortController();
  const onInterrupt = (): void => interrupt.abort();
  process.once("SIGINT", onInterrupt);
  let views: Awaited<ReturnType<typeof waitForLeader>>;
  try {
    views = await waitForLeader(dir, current, started, opts.timeoutMs, interrupt.signal);
  } catch (err) {
    // Leave nothing half-started behind: stop what this run started.
    await stopMembers(
      dir,
      current.members.filter((m) => started.has(m.name)),
      3000,
    );
    throw err;
  } finally {
    process.off("SIGINT", onInterrupt);
  }
  const lead = leaderOf(views)!;
  console.log(
    `Leader: ${lead.record.name} (term ${lead.status!.term}); all members answer, ${formatMs(Date.now() - t0)} after start.`,
  );
  printEndpoints(current);
  printNext(dir, opts.detach);
  if (opts.detach) return 0;
  return followUntilInterrupted(dir, current, started);
}

/** The folder's record (resumed, with flags given now taking over), or a new one on free ports. */
async function loadOrCreate(opts: UpOptions): Promise<ClusterRecord> {
  if (hasCluster(opts.dir)) {
    const rec = readCluster(opts.dir);
    if (opts.masters !== undefined && opts.masters !== rec.members.length)
      throw new CliError(
        `the cluster in ${opts.dir} has ${rec.members.length} masters, not ${opts.masters}; ` +
          `leave out --masters to resume it, or use another --dir for a new cluster`,
      );
    const resumed = { ...rec, fsync: opts.fsync ?? rec.fsync, tickMs: opts.tickMs ?? rec.tickMs };
    console.log(`Resuming the cluster in ${opts.dir} (same data and ports).`);
    return resumed;
  }
  const ports = await freeMemberPorts(opts.masters ?? 3, LOOPBACK_HOST);
  return newCluster({ fsync: opts.fsync ?? "on", tickMs: opts.tickMs ?? 100, ports });
}

async function checkPortsFree(dir: string, members: readonly MemberRecord[]): Promise<void> {
  for (const m of members) {
    for (const [what, port] of [
      ["client", m.clientPort],
      ["peer", m.peerPort],
      ["http", m.httpPort],
    ] as const) {
      if (!(await portFree(port, m.host)))
        throw new CliError(
          `port ${port} (${what} port of ${m.name}, recorded in ${dir}/cluster.json) is taken by another process; ` +
            `stop that process, or start a new cluster with another --dir`,
        );
    }
  }
}

function printEndpoints(rec: ClusterRecord): void {
  console.log(`\nClient endpoints: ${rec.members.map(clientAddress).join(", ")}`);
  console.log("  The resource API (gRPC flotilla.apipb.Resources) is served on the same endpoints;");
  console.log(
    `  its watch streams also as WebSocket: ${rec.members.map((m) => `${httpURL(m).replace(/^http/, "ws")}/watch`).join(", ")}`,
  );
  console.log(`For etcd clients (ETCDCTL_API=3):\n  ${etcdctlLine(rec)}`);
}

function printNext(dir: string, detached: boolean): void {
  const d = dirHint(dir);
  const where = detached ? "" : " (in another terminal)";
  console.log(`
Try next${where}:
  flotilla status${d}               roles, terms and indexes of every member (--watch to follow)
  flotilla kill leader${d}          SIGKILL the leader; the others elect a new one
  flotilla restart m1${d}           start a member again on its data; it rejoins as a follower
  flotilla down${d}                 stop every master (the data stays; --purge removes it)`);
  if (!detached) console.log("\nFollowing elections; Ctrl-C stops every master.\n");
}

/** Foreground: show elections until SIGINT/SIGTERM/SIGHUP, then stop every master of the folder. */
async function followUntilInterrupted(
  dir: string,
  rec: ClusterRecord,
  started: ReadonlyMap<string, Started>,
): Promise<number> {
  const follower = new ClusterFollower(rec, {
    dir,
    print: (line) => console.log(line),
    fromOffsets: new Map([...started].map(([name, s]) => [name, s.logOffset])),
  });
  follower.start();
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    for (const s of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.once(s, () => resolve(s));
  });
  follower.stop();
  console.log(
    `\n${signal}: stopping every master in ${dir} (SIGTERM, then SIGKILL after ${formatMs(STOP_GRACE_MS)})`,
  );
  const latest = hasCluster(dir) ? readCluster(dir) : rec; // restarts from other terminals changed pids
  // A second Ctrl-C while stopping skips the grace period.
  process.once("SIGINT", () => {
    console.log("Second Ctrl-C: killing every master now.");
    for (const m of latest.members) if (isMasterAlive(dir, m)) signalPid(m.pid!, "SIGKILL");
  });
  const outcomes = await stopMembers(dir, latest.members, STOP_GRACE_MS);
  for (const [name, how] of outcomes) console.log(`  ${name}: ${how}`);
  console.log(`The data stays in ${dir}: \`flotilla up${dirHint(dir)}\` resumes it.`);
  return [...outcomes.values()].includes("survived SIGKILL") ? 1 : 0;
}
