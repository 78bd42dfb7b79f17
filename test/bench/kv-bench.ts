/**
 * KV throughput and latency: the same load, from the same client code, against three
 * Flotilla masters and a three-member etcd in one run (both up, phases alternating). C closed-loop
 * clients over gRPC connections spread over the three endpoints; 8-byte keys, 256-byte
 * values. Phase 1 puts, phase 2 linearizable single-key ranges, phase 3 serializable ones.
 * Both systems fsync (etcd always; Flotilla with --fsync on).
 *
 *   npm run bench:kv -- [--seconds 10] [--clients 100] [--systems flotilla,etcd]
 *                       [--conns 3] [--load-procs 1] [--requests 2000000]
 *                       [--deadline-ms 5000] [--key-space 100000]
 *                       [--phases put,range-linearizable,range-serializable]
 *                       [--warmup-seconds 3] [--snapshot-entries 100000]
 *
 * BENCH_FLOTILLA_NODE_ARGS="--cpu-prof --cpu-prof-dir=DIR" profiles the masters;
 * BENCH_FLOTILLA_PEER_PROTOCOL=tcp runs them with --peer-protocol tcp (default grpc).
 *
 * --load-procs 0 runs the clients in this process; P > 0 forks P generator processes.
 * Servers are started on free 127.0.0.1 ports and always killed at the end.
 */
import { arg, printTable } from "./bench-util.js";
import { type BenchCluster, parseSystems, type SystemName } from "./clusters/cluster.js";
import { createEtcdCluster } from "./clusters/etcd-cluster.js";
import { createFlotillaCluster } from "./clusters/flotilla-cluster.js";
import { getValue } from "./clusters/grpc.js";
import {
  KEY_BYTES,
  keyOf,
  type LoadRunner,
  PHASE_KINDS,
  type PhaseKind,
  parsePhaseKind,
  startLoad,
  VALUE_BYTES,
} from "./clusters/load.js";
import { ProcessGroup, sleep } from "./clusters/processes.js";
import {
  errorText,
  fmt,
  machineFacts,
  measurePhase,
  type PhaseSummary,
  printColumns,
  ratio,
} from "./clusters/report.js";

const seconds = Number(arg("seconds", "10"));
/**
 * Unmeasured load of the same kind before each measured phase, for both systems alike: the
 * figures are steady state (JIT-compiled code, warm connections and caches), not start-up.
 */
const warmupSeconds = Number(arg("warmup-seconds", "3"));
const clients = Number(arg("clients", "100"));
const conns = Number(arg("conns", "3"));
const loadProcs = Number(arg("load-procs", "1"));
const requestsMax = Number(arg("requests", "2000000"));
const deadlineMs = Number(arg("deadline-ms", "5000"));
const keySpace = Number(arg("key-space", "100000"));
const systems = parseSystems(arg("systems", "flotilla,etcd"));
const PHASES = parsePhases(arg("phases", PHASE_KINDS.join(",")));

/** The phases named in `--phases a,b` (puts always run first: ranges read what they wrote). */
function parsePhases(list: string): PhaseKind[] {
  const named = list.split(",").map((p) => parsePhaseKind(p, "phases"));
  return PHASE_KINDS.filter((p) => p === "put" || named.includes(p));
}

/** A started cluster with its own load generator(s); `failed` once it can no longer be measured. */
interface Subject {
  readonly system: SystemName;
  readonly cluster: BenchCluster;
  load?: LoadRunner;
  keysWritten: number;
  failed?: string;
}

async function startSubject(
  system: SystemName,
  group: ProcessGroup,
  versions: Record<string, string>,
): Promise<Subject> {
  const cluster: BenchCluster =
    system === "etcd" ? await createEtcdCluster(group) : await createFlotillaCluster(group);
  versions[system] = `${await cluster.version()}; ${cluster.timing.flags}`;
  const subject: Subject = { system, cluster, keysWritten: 0 };
  try {
    console.log(`[${system}] starting 3 members on ${cluster.endpoints.join(", ")}`);
    await cluster.start();
    subject.load = await startLoad(
      { endpoints: cluster.endpoints, clients, conns },
      loadProcs,
      group,
      10_000,
    );
  } catch (err) {
    subject.failed = err instanceof Error ? err.message : String(err);
    console.error(`[${system}] FAILED to start: ${subject.failed}`);
  }
  return subject;
}

/** A put acknowledged must be readable: key 0 (written first) from every member, 256 bytes. */
async function checkStored(s: Subject): Promise<void> {
  for (const addr of s.cluster.endpoints) {
    const v = await getValue(addr, keyOf(0), 5000);
    if (v?.length !== VALUE_BYTES)
      throw new Error(`${addr} returned ${v?.length ?? "no"} bytes for key 0 after the puts`);
  }
}

/** One phase against one system; a failure marks the system failed and is reported, not thrown. */
async function runPhase(s: Subject, kind: PhaseKind): Promise<PhaseSummary | undefined> {
  if (s.failed || !s.load) return undefined;
  try {
    if (warmupSeconds > 0) {
      await s.load.run({
        kind,
        seconds: warmupSeconds,
        requestsMax,
        deadlineMs,
        keySpace,
        keysWritten: s.keysWritten,
      });
    }
    const members0 = s.cluster.memberCpuSeconds();
    const r = await measurePhase(s.system, s.cluster, s.load, {
      kind,
      seconds,
      requestsMax,
      deadlineMs,
      keySpace,
      keysWritten: s.keysWritten,
    });
    if (kind === "put") {
      s.keysWritten = r.ok;
      await checkStored(s);
    }
    const perMember = [...s.cluster.memberCpuSeconds()]
      .map(([name, cpu]) => `${name} ${fmt((cpu - (members0.get(name) ?? 0)) / r.seconds, 2)}`)
      .join(", ");
    console.log(
      `[${s.system}] ${kind}: ${fmt(r.qps, 0)} qps, p50 ${fmt(r.p50Ms, 2)} ms, p99 ${fmt(r.p99Ms, 2)} ms, ` +
        `errors ${errorText(r.errors)}; CPU cores ${perMember}`,
    );
    const dead = s.cluster.members.filter((m) => !s.cluster.isAlive(m.name)).map((m) => m.name);
    if (dead.length > 0) s.failed = `member(s) ${dead.join(", ")} exited during ${kind} (see logs)`;
    return r;
  } catch (err) {
    s.failed = `${kind}: ${err instanceof Error ? err.message : String(err)}`;
    console.error(`[${s.system}] FAILED: ${s.failed}`);
    return undefined;
  }
}

/**
 * Server CPU per successful request, all three members together. On a shared two-core
 * machine this is steadier than QPS: it does not depend on how much CPU was left to them.
 */
function serverUsPerRequest(r: PhaseSummary): number {
  return r.ok > 0 ? (r.serverCpuCores * 1e6) / r.qps : Number.NaN;
}

async function main(): Promise<void> {
  const group = new ProcessGroup();
  group.installExitHandlers();
  const wanted = systems;
  const versions: Record<string, string> = {};
  const results: PhaseSummary[] = [];
  // Both clusters run side by side and the phases alternate between them, so a noisy
  // neighbour on the machine (or a warming disk) hits both systems alike.
  const subjects: Subject[] = [];
  for (const s of wanted) subjects.push(await startSubject(s, group, versions));
  try {
    for (const kind of PHASES) {
      for (const s of subjects) {
        const r = await runPhase(s, kind);
        if (r) results.push(r);
        await sleep(500);
      }
    }
  } finally {
    for (const s of subjects) {
      s.load?.close();
      await s.cluster.stop();
    }
  }
  for (const s of subjects) if (s.failed) console.error(`[${s.system}] not fully measured: ${s.failed}`);

  printTable("Machine", machineFacts(versions));
  printTable("Load", [
    ["clients", `${clients} closed-loop, ${conns} HTTP/2 connections round-robin over 3 endpoints`],
    ["generator", loadProcs === 0 ? "in the benchmark process" : `${loadProcs} forked node process(es)`],
    ["keys / values", `${KEY_BYTES} B / ${VALUE_BYTES} B, key space ${keySpace}`],
    [
      "per phase",
      `${warmupSeconds} s unmeasured, then ${seconds} s or ${requestsMax} requests, deadline ${deadlineMs} ms per request`,
    ],
  ]);
  printColumns(
    "Results (latency of successful requests; CPU in cores busy; other = rest of the machine)",
    [
      "system",
      "phase",
      "QPS",
      "p50 ms",
      "p99 ms",
      "max ms",
      "errors",
      "load CPU",
      "load ELU",
      "servers CPU",
      "other CPU",
      "server µs/req",
    ],
    results.map((r) => [
      r.system,
      r.phase,
      fmt(r.qps, 0),
      fmt(r.p50Ms, 2),
      fmt(r.p99Ms, 2),
      fmt(r.maxMs, 1),
      errorText(r.errors),
      fmt(r.loadCpuCores, 2),
      fmt(r.loadEventLoop, 2),
      fmt(r.serverCpuCores, 2),
      fmt(r.otherCpuCores, 2),
      fmt(serverUsPerRequest(r), 0),
    ]),
  );
  const get = (system: string, phase: string): PhaseSummary | undefined =>
    results.find((r) => r.system === system && r.phase === phase);
  if (wanted.includes("flotilla") && wanted.includes("etcd")) {
    printColumns(
      "Flotilla / etcd",
      ["phase", "QPS ratio", "p99 ratio", "server CPU/req ratio"],
      PHASES.map((p) => {
        const f = get("flotilla", p);
        const e = get("etcd", p);
        return [
          p,
          ratio(f?.qps ?? Number.NaN, e?.qps ?? Number.NaN),
          ratio(f?.p99Ms ?? Number.NaN, e?.p99Ms ?? Number.NaN),
          ratio(f ? serverUsPerRequest(f) : Number.NaN, e ? serverUsPerRequest(e) : Number.NaN),
        ];
      }),
    );
  }
  group.killAll();
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
