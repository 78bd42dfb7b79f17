/**
 * Failover: how long writes stop when the leader is SIGKILLed, for three Flotilla masters
 * and a three-member etcd with the same election settings (heartbeat 100 ms, election
 * timeout 1000 ms randomized to [1000, 2000) in both).
 *
 * Each round: W writers put in a loop with a short per-request deadline, moving to another
 * endpoint on failure; the leader (found with Maintenance.Status, Flotilla also /status) is
 * SIGKILLed; the write gap is the time from the kill to the first successful put issued
 * after the kill, on any writer; per writer the same, summarized as p50 and max. Then the
 * killed member is restarted and the cluster must be healthy before the next round.
 *
 *   npm run bench:failover -- [--rounds 5] [--systems flotilla,etcd] [--writers 8]
 *                             [--deadline-ms 200] [--max-wait-ms 20000] [--warmup-ms 2000]
 */
import { performance } from "node:perf_hooks";
import { arg, percentile, printTable } from "./bench-util.js";
import { type BenchCluster, DEFAULT_TIMING, parseSystems, type SystemName } from "./clusters/cluster.js";
import { createEtcdCluster } from "./clusters/etcd-cluster.js";
import { createFlotillaCluster } from "./clusters/flotilla-cluster.js";
import { ProcessGroup, sleep } from "./clusters/processes.js";
import { fmt, machineFacts, median, printColumns, ratio } from "./clusters/report.js";
import { Writers } from "./clusters/writers.js";

const rounds = Number(arg("rounds", "5"));
const writers = Number(arg("writers", "8"));
const deadlineMs = Number(arg("deadline-ms", "200"));
const maxWaitMs = Number(arg("max-wait-ms", "20000"));
const warmupMs = Number(arg("warmup-ms", "2000"));
const systems = parseSystems(arg("systems", "flotilla,etcd"));
const PUTS_PER_WRITER_MAX = 200_000;
const HEALTHY_TIMEOUT_MS = 60_000;

interface Round {
  readonly system: string;
  readonly round: number;
  readonly killed: string;
  readonly newLeader: string;
  /** Kill → a survivor reports (Maintenance.Status) that it leads; polled every ~50 ms. */
  readonly electedMs: number;
  /** Kill → first successful put issued after the kill, any writer; NaN if none in time. */
  readonly gapMs: number;
  readonly writerP50Ms: number;
  readonly writerMaxMs: number;
  /** Writers without a successful put within max-wait-ms after the kill. */
  readonly stuck: number;
  readonly failures: number;
  readonly note: string;
}

async function oneRound(cluster: BenchCluster, round: number): Promise<Round> {
  const w = new Writers({ endpoints: cluster.endpoints, writers, deadlineMs, putsMax: PUTS_PER_WRITER_MAX });
  let killed = "?";
  try {
    await sleep(warmupMs);
    if (w.okCount === 0) throw new Error(`no successful put during the ${warmupMs} ms warm-up`);
    let leader: string | undefined;
    for (let i = 0; i < 50 && !leader; i++) {
      leader = await cluster.leader();
      if (!leader) await sleep(100);
    }
    if (!leader) throw new Error("no member says it leads");
    killed = leader;
    const failuresBefore = w.failures;
    const tKill = performance.now();
    cluster.kill(leader);
    const deadline = tKill + maxWaitMs;
    const elected = watchElection(cluster, deadline);
    let firsts = w.firstSuccessAfter(tKill);
    while (firsts.some(Number.isNaN) && performance.now() < deadline) {
      await sleep(10);
      firsts = w.firstSuccessAfter(tKill);
    }
    const electedAt = await elected;
    const after = firsts.filter((t) => !Number.isNaN(t)).map((t) => t - tKill);
    after.sort((a, b) => a - b);
    const newLeader = (await cluster.leader()) ?? "none";
    return {
      system: cluster.system,
      round,
      killed,
      newLeader,
      electedMs: electedAt - tKill,
      gapMs: after[0] ?? Number.NaN,
      writerP50Ms: percentile(after, 0.5),
      writerMaxMs: after.length ? after[after.length - 1]! : Number.NaN,
      stuck: writers - after.length,
      failures: w.failures - failuresBefore,
      note: "",
    };
  } catch (err) {
    return failedRound(cluster.system, round, killed, err);
  } finally {
    await w.stop();
  }
}

/** When (performance.now()) a live member first says it leads; NaN if none before `deadline`. */
async function watchElection(cluster: BenchCluster, deadline: number): Promise<number> {
  while (performance.now() < deadline) {
    if (await cluster.survivorLeads(200)) return performance.now();
    await sleep(50);
  }
  return Number.NaN;
}

function failedRound(system: string, round: number, killed: string, err: unknown): Round {
  const note = err instanceof Error ? err.message : String(err);
  console.error(`[${system}] round ${round} failed: ${note}`);
  const nan = Number.NaN;
  return {
    system,
    round,
    killed,
    newLeader: "?",
    electedMs: nan,
    gapMs: nan,
    writerP50Ms: nan,
    writerMaxMs: nan,
    stuck: writers,
    failures: 0,
    note,
  };
}

async function benchSystem(
  system: SystemName,
  group: ProcessGroup,
  versions: Record<string, string>,
): Promise<Round[]> {
  const cluster = system === "etcd" ? await createEtcdCluster(group) : await createFlotillaCluster(group);
  versions[system] = `${await cluster.version()}; ${cluster.timing.flags}`;
  const out: Round[] = [];
  try {
    console.log(`\n[${system}] starting 3 members on ${cluster.endpoints.join(", ")}`);
    await cluster.start();
    for (let r = 1; r <= rounds; r++) {
      const res = await oneRound(cluster, r);
      out.push(res);
      console.log(
        `[${system}] round ${r}: killed ${res.killed}, new leader ${res.newLeader} after ${fmt(res.electedMs, 0)} ms, gap ${fmt(res.gapMs, 0)} ms, ` +
          `writers p50 ${fmt(res.writerP50Ms, 0)} ms max ${fmt(res.writerMaxMs, 0)} ms, stuck ${res.stuck}`,
      );
      if (res.killed !== "?" && !cluster.isAlive(res.killed)) {
        await cluster.restart(res.killed, HEALTHY_TIMEOUT_MS);
      } else {
        await cluster.waitHealthy(HEALTHY_TIMEOUT_MS);
      }
      await sleep(500);
    }
  } catch (err) {
    console.error(`[${system}] FAILED: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    await cluster.stop();
  }
  return out;
}

async function main(): Promise<void> {
  const group = new ProcessGroup();
  group.installExitHandlers();
  const wanted = systems;
  const versions: Record<string, string> = {};
  const all: Round[] = [];
  for (const s of wanted) all.push(...(await benchSystem(s, group, versions)));

  printTable("Machine", machineFacts(versions));
  const { heartbeatMs, electionTimeoutMs } = DEFAULT_TIMING;
  printTable("Failover setup", [
    ["heartbeat", `${heartbeatMs} ms (both systems)`],
    [
      "election timeout",
      `${electionTimeoutMs} ms, randomized to [${electionTimeoutMs}, ${2 * electionTimeoutMs}) ms (both)`,
    ],
    [
      "target (ARCHITECTURE)",
      `writes resume within ${electionTimeoutMs + heartbeatMs} ms (one election timeout + one heartbeat)`,
    ],
    ["writers", `${writers}, per-put deadline ${deadlineMs} ms, next endpoint on failure`],
    ["rounds", `${rounds}; killed member restarted and cluster healthy between rounds`],
  ]);
  printColumns(
    "Rounds (ms from SIGKILL of the leader; only puts issued after the kill count)",
    [
      "system",
      "round",
      "killed",
      "new leader",
      "elected",
      "gap",
      "writer p50",
      "writer max",
      "stuck",
      "failed puts",
      "note",
    ],
    all.map((r) => [
      r.system,
      String(r.round),
      r.killed,
      r.newLeader,
      fmt(r.electedMs, 0),
      fmt(r.gapMs, 0),
      fmt(r.writerP50Ms, 0),
      fmt(r.writerMaxMs, 0),
      String(r.stuck),
      String(r.failures),
      r.note,
    ]),
  );
  const med = (s: string, f: (r: Round) => number): number =>
    median(all.filter((r) => r.system === s).map(f));
  printColumns(
    "Median over rounds",
    ["system", "elected", "gap", "writer p50", "writer max", "failed rounds"],
    wanted.map((s) => [
      s,
      fmt(
        med(s, (r) => r.electedMs),
        0,
      ),
      fmt(
        med(s, (r) => r.gapMs),
        0,
      ),
      fmt(
        med(s, (r) => r.writerP50Ms),
        0,
      ),
      fmt(
        med(s, (r) => r.writerMaxMs),
        0,
      ),
      String(all.filter((r) => r.system === s && Number.isNaN(r.gapMs)).length),
    ]),
  );
  if (wanted.includes("flotilla") && wanted.includes("etcd")) {
    printTable("Flotilla / etcd (medians)", [
      [
        "elected",
        ratio(
          med("flotilla", (r) => r.electedMs),
          med("etcd", (r) => r.electedMs),
        ),
      ],
      [
        "gap",
        ratio(
          med("flotilla", (r) => r.gapMs),
          med("etcd", (r) => r.gapMs),
        ),
      ],
      [
        "writer max",
        ratio(
          med("flotilla", (r) => r.writerMaxMs),
          med("etcd", (r) => r.writerMaxMs),
        ),
      ],
    ]);
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
