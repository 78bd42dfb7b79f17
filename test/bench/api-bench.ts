/**
 * API throughput and watch fan-out: three Flotilla masters (--fsync on, their default; see
 * clusters/flotilla-cluster.ts), ConfigMaps created through the Resources gRPC API.
 *
 *   npm run bench:api -- [--seconds 10] [--warmup-seconds 3] [--concurrency 64]
 *                        [--watchers 1000] [--watch-conns 2] [--watch-rate 10]
 *                        [--watch-seconds 10] [--requests 1000000]
 *
 * Phase 1, creates: `--concurrency` closed-loop creates in flight, round-robin over three
 * ApiClients (each preferring a different master), in this process. A create costs the
 * masters (validation, a Raft round with fsync, a CAS txn, JSON) far more than the client,
 * so one process is enough; its event-loop utilization is printed to show it was not the
 * bottleneck. Prints creates/s, p50/p99 latency and the masters' CPU per create.
 *
 * Phase 2, watch: `--watchers` watches of the namespace's ConfigMaps, spread over the three
 * masters, in ONE forked child process: decoding a thousand copies of every event costs the
 * watcher side far more CPU than writing, and sharing an event loop with the writer would
 * delay the writer's acknowledgement timestamps and distort the latencies both ways. Creates
 * are then sent at a fixed `--watch-rate` (open loop) so the figure is delivery latency, not
 * the queueing of a saturated writer. The default, 10 creates/s, is 10,000 deliveries/s: on
 * a two-core machine 50/s (50,000 decoded events/s) saturates the watcher process itself and
 * the figure becomes its backlog (it then fails the completeness check). Each event's latency is measured from the create being
 * sent and from its acknowledgement, at each watcher. Every watcher must receive every
 * acknowledged create exactly once, in resourceVersion order: otherwise the run FAILS (exit 1).
 * Also prints each master's RSS before and with the watchers open.
 *
 * The machine may be shared: the load average is printed at start and end. All child
 * processes and temp folders are removed on exit, on an error and on Ctrl-C.
 */

import type { ApiClient } from "../../libs/client/index.js";
import { loadAverage, rssMiB } from "./api/proc-facts.js";
import { PROBE_NAME, type WatchResult } from "./api/protocol.js";
import { WatcherProcess } from "./api/watcher-process.js";
import {
  apiClients,
  type ClosedLoopResult,
  closedLoopCreates,
  configMap,
  pacedCreates,
} from "./api/writer.js";
import { arg, percentile, printTable } from "./bench-util.js";
import { createFlotillaCluster, type FlotillaCluster } from "./clusters/flotilla-cluster.js";
import { machineBusySeconds, ProcessGroup } from "./clusters/processes.js";
import { errorText, fmt, machineFacts, printColumns } from "./clusters/report.js";

const seconds = Number(arg("seconds", "10"));
const warmupSeconds = Number(arg("warmup-seconds", "3"));
const concurrency = Number(arg("concurrency", "64"));
const requestsMax = Number(arg("requests", "1000000"));
const watchers = Number(arg("watchers", "1000"));
const watchConns = Number(arg("watch-conns", "2"));
const watchRate = Number(arg("watch-rate", "10"));
const watchSeconds = Number(arg("watch-seconds", "10"));
const WATCH_IN_FLIGHT_MAX = 64;
const NAMESPACE_TIMEOUT_MS = 30_000;
const WATCH_OPEN_TIMEOUT_MS = 90_000;
const DELIVERY_TIMEOUT_MS = 30_000;
/** How long the idle masters are watched to learn their CPU floor (ticks, heartbeats, fsyncs of nothing). */
const IDLE_SAMPLE_MS = 2_000;

class BenchFailedError extends Error {
  override readonly name = "BenchFailedError";
}

/** Creates a namespace, retrying (bounded) while the masters finish starting; returns its resourceVersion. */
async function createNamespace(api: ApiClient, name: string): Promise<string> {
  const end = Date.now() + NAMESPACE_TIMEOUT_MS;
  for (;;) {
    try {
      const ns = await api
        .resource("namespaces")
        .create({ apiVersion: "v1", kind: "Namespace", metadata: { name } });
      return ns.metadata.resourceVersion ?? "";
    } catch (err) {
      if (Date.now() > end) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

function memberRss(cluster: FlotillaCluster): string {
  return cluster
    .pids()
    .map((pid) => `${fmt(rssMiB(pid), 0)} MiB`)
    .join(", ");
}

/** The masters' CPU in cores while nobody talks to them, subtracted to show the cost per create. */
async function idleCpuCores(cluster: FlotillaCluster): Promise<number> {
  const cpu0 = cluster.cpuSeconds();
  await new Promise((r) => setTimeout(r, IDLE_SAMPLE_MS));
  return (cluster.cpuSeconds() - cpu0) / (IDLE_SAMPLE_MS / 1000);
}

/** Masters' µs of CPU per create: total, and above their idle floor. */
function cpuPerCreate(serverCpuSeconds: number, creates: number, seconds: number, idleCores: number): string {
  const total = (serverCpuSeconds * 1e6) / creates;
  const aboveIdle = ((serverCpuSeconds - idleCores * seconds) * 1e6) / creates;
  return `${fmt(total, 0)} µs (${fmt(aboveIdle, 0)} above idle)`;
}

async function createsPhase(
  cluster: FlotillaCluster,
  clients: ApiClient[],
  idleCores: number,
): Promise<void> {
  await createNamespace(clients[0]!, "bench-create");
  const opts = { namespace: "bench-create", concurrency, requestsMax };
  if (warmupSeconds > 0)
    await closedLoopCreates(clients, { ...opts, prefix: "warm", seconds: warmupSeconds });
  const cpu0 = cluster.cpuSeconds();
  const members0 = cluster.memberCpuSeconds();
  const machine0 = machineBusySeconds();
  const r: ClosedLoopResult = await closedLoopCreates(clients, { ...opts, prefix: "c", seconds });
  const serverCpu = cluster.cpuSeconds() - cpu0;
  const machine = machineBusySeconds() - machine0;
  const sorted = Array.from(r.latenciesMs.slice().sort());
  const perMember = [...cluster.memberCpuSeconds()]
    .map(([name, cpu]) => `${name} ${fmt((cpu - (members0.get(name) ?? 0)) / r.seconds, 2)}`)
    .join(", ");
  printColumns(
    `Creates (ConfigMaps, ${concurrency} in flight, ${fmt(r.seconds, 1)} s after ${warmupSeconds} s warm-up; fsync on)`,
    [
      "creates/s",
      "p50 ms",
      "p99 ms",
      "max ms",
      "ok",
      "errors",
      "masters CPU/create",
      "writer CPU",
      "writer ELU",
      "other CPU",
    ],
    [
      [
        fmt(r.ok / r.seconds, 0),
        fmt(percentile(sorted, 0.5), 2),
        fmt(percentile(sorted, 0.99), 2),
        fmt(sorted[sorted.length - 1] ?? Number.NaN, 1),
        String(r.ok),
        errorText(r.errors),
        cpuPerCreate(serverCpu, r.ok, r.seconds, idleCores),
        fmt(r.cpuSeconds / r.seconds, 2),
        fmt(r.eventLoopUtilization, 2),
        fmt(Math.max(0, machine - serverCpu - r.cpuSeconds) / r.seconds, 2),
      ],
    ],
  );
  console.log(`masters' CPU in cores during creates: ${perMember}`);
  if (r.ok === 0) throw new BenchFailedError("no create succeeded");
}

async function watchPhase(
  cluster: FlotillaCluster,
  clients: ApiClient[],
  group: ProcessGroup,
  idleCores: number,
): Promise<WatchResult> {
  const namespace = "bench-watch";
  const rv = await createNamespace(clients[0]!, namespace);
  const rssBefore = memberRss(cluster);
  const count = Math.max(1, Math.round(watchRate * watchSeconds));
  const child = new WatcherProcess(group);
  const openMs = await child.start(
    {
      type: "start",
      endpoints: cluster.endpoints,
      watchers,
      connsPerMaster: watchConns,
      namespace,
      resourceVersion: rv,
      eventsMax: count,
    },
    async () => {
      await clients[0]!
        .resource("configmaps", namespace)
        .create(configMap(namespace, PROBE_NAME, { seq: "-1" }));
    },
    WATCH_OPEN_TIMEOUT_MS,
  );
  const rssOpen = memberRss(cluster);
  console.log(
    `\n${watchers} watchers open and live in ${fmt(openMs, 0)} ms (watcher process pid ${child.pid})`,
  );
  const cpu0 = cluster.cpuSeconds();
  const w = await pacedCreates(clients, {
    namespace,
    prefix: "w",
    count,
    ratePerSecond: watchRate,
    inFlightMax: WATCH_IN_FLIGHT_MAX,
  });
  const result = await child.finish(
    {
      type: "finish",
      expectedSeqs: w.seqsByRevision,
      sentMs: w.sentMs,
      ackMs: w.ackMs,
      deliveryTimeoutMs: DELIVERY_TIMEOUT_MS,
    },
    DELIVERY_TIMEOUT_MS + 30_000,
  );
  const serverCpu = cluster.cpuSeconds() - cpu0;
  const rssAfter = memberRss(cluster);
  child.kill();
  printColumns(
    `Watch delivery (${count} creates at ${watchRate}/s to ${watchers} watchers over ${watchConns * 3} HTTP/2 connections; fsync on)`,
    ["from", "deliveries", "p50 ms", "p99 ms", "max ms"],
    [
      [
        "create sent",
        String(result.fromSend.count),
        fmt(result.fromSend.p50Ms, 2),
        fmt(result.fromSend.p99Ms, 2),
        fmt(result.fromSend.maxMs, 1),
      ],
      [
        "create acked",
        String(result.fromAck.count),
        fmt(result.fromAck.p50Ms, 2),
        fmt(result.fromAck.p99Ms, 2),
        fmt(result.fromAck.maxMs, 1),
      ],
    ],
  );
  printTable("Watch phase", [
    [
      "creates acknowledged",
      `${w.count} of ${count} (errors ${errorText(w.errors)}) in ${fmt(w.seconds, 1)} s`,
    ],
    [
      "events per watcher",
      `min ${result.receivedMin}, max ${result.receivedMax}, expected ${result.eventsExpected}`,
    ],
    ["watchers wrong", `${result.badWatchers} (missing, repeated or out-of-order events)`],
    [
      "masters' CPU/create",
      `${cpuPerCreate(serverCpu, Math.max(1, w.count), w.seconds, idleCores)}, fan-out to ${watchers} watchers included`,
    ],
    [
      "watcher process",
      `${fmt(result.cpuSeconds / w.seconds, 2)} cores, event-loop utilization ${fmt(result.eventLoopUtilization, 2)}`,
    ],
    ["masters' RSS before watchers", rssBefore],
    ["masters' RSS, watchers open", rssOpen],
    ["masters' RSS after the phase", rssAfter],
  ]);
  for (const p of result.problems) console.error(`  ${p}`);
  if (w.count === 0) throw new BenchFailedError("no create of the watch phase succeeded");
  if (result.badWatchers > 0 || result.receivedMin !== w.count || result.receivedMax !== w.count)
    throw new BenchFailedError(
      `${result.badWatchers} of ${watchers} watchers did not receive every event exactly once, in order`,
    );
  return result;
}

async function main(): Promise<void> {
  const group = new ProcessGroup();
  group.installExitHandlers();
  const loadStart = loadAverage();
  console.log(`load average at start: ${loadStart}`);
  const cluster = await createFlotillaCluster(group);
  const versions = { flotilla: `${await cluster.version()}; ${cluster.timing.flags}` };
  let clients: ApiClient[] = [];
  try {
    console.log(`starting 3 masters on ${cluster.endpoints.join(", ")} (fsync on)`);
    await cluster.start();
    clients = apiClients(cluster.endpoints);
    const idleCores = await idleCpuCores(cluster);
    console.log(`masters idle: ${fmt(idleCores, 3)} cores together (sampled ${IDLE_SAMPLE_MS} ms)`);
    await createsPhase(cluster, clients, idleCores);
    await watchPhase(cluster, clients, group, idleCores);
  } finally {
    for (const c of clients) c.close();
    await cluster.stop();
    printTable("Machine", [
      ...machineFacts(versions),
      ["load average", `start ${loadStart}, end ${loadAverage()} (1, 5, 15 min)`],
    ]);
    group.killAll();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`\nFAILED: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
    process.exit(1);
  },
);
