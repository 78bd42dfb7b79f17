/**
 * A/B of two Flotilla builds (or two sets of node flags) under the same KV load, for changes
 * smaller than the noise of one `bench:kv` run (about ±15 % on a shared machine). Both
 * three-master clusters run side by side; short rounds alternate between them in ABBA order,
 * so drift on the machine (a noisy neighbour, a warming disk, a growing store) reaches both
 * alike. Each round's B/A ratios are printed, then the medians and the geometric mean of the
 * ratios (with an even number of rounds, an advantage of going first or second cancels in
 * it): a change is real when the per-round ratios agree, not when one median moved.
 *
 *   npm run bench:ab -- [--base HEAD] [--rounds 6] [--seconds 6] [--warmup-seconds 2] [--pause-seconds 2]
 *                       [--phase put|range-linearizable|range-serializable]
 *                       [--clients 100] [--conns 3] [--key-space 100000]
 *                       [--a-node-args "--max-semi-space-size=32"] [--b-node-args "…"]
 *
 * A is the commit `--base` names, built in a temporary git worktree; B is this working tree
 * (dist/, rebuilt). `--base .` makes A this working tree too: with the same flags that is an
 * A/A run that shows the noise floor; with different `--a-node-args`/`--b-node-args` it
 * compares flags. The masters' CPU comes from /proc (all their threads, GC and fsync
 * included), per successful request.
 */
import { arg, printTable } from "./bench-util.js";
import { createFlotillaCluster, type FlotillaCluster, splitNodeArgs } from "./clusters/flotilla-cluster.js";
import { type LoadRunner, type PhaseKind, parsePhaseKind, startLoad } from "./clusters/load.js";
import { ProcessGroup, sleep } from "./clusters/processes.js";
import { errorText, fmt, machineFacts, measurePhase, median, printColumns } from "./clusters/report.js";
import { buildRevision } from "./clusters/revision-build.js";

const base = arg("base", "HEAD");
const rounds = Number(arg("rounds", "6"));
const seconds = Number(arg("seconds", "6"));
const warmupSeconds = Number(arg("warmup-seconds", "2"));
/**
 * Idle time between two measured stretches, so that what the side that just ran still does
 * (writing back its WAL pages, finishing a collection) does not fall on the other's round.
 */
const pauseSeconds = Number(arg("pause-seconds", "2"));
const clients = Number(arg("clients", "100"));
const conns = Number(arg("conns", "3"));
const keySpace = Number(arg("key-space", "100000"));
const deadlineMs = 5000;
const requestsMax = 2_000_000;
const phase = parsePhaseKind(arg("phase", "put"), "phase");

for (const [name, v] of [
  ["rounds", rounds],
  ["seconds", seconds],
  ["clients", clients],
  ["conns", conns],
  ["key-space", keySpace],
] as const)
  if (!Number.isInteger(v) || v < 1) throw new Error(`--${name} must be a whole number ≥ 1 (got ${v})`);

interface Side {
  readonly name: "A" | "B";
  readonly cluster: FlotillaCluster;
  readonly load: LoadRunner;
  /** Keys [0, keysWritten) exist (ranges read them). */
  keysWritten: number;
}

interface Round {
  readonly qps: number;
  readonly p99Ms: number;
  readonly usPerRequest: number;
  readonly errors: Record<string, number>;
}

async function startSide(name: "A" | "B", rev: string, nodeArgs: string, group: ProcessGroup): Promise<Side> {
  const build = buildRevision(rev, splitNodeArgs(nodeArgs), group);
  const cluster = await createFlotillaCluster(group, build);
  console.log(`[${name}] ${await cluster.version()} on ${cluster.endpoints.join(", ")}`);
  await cluster.start();
  const load = await startLoad({ endpoints: cluster.endpoints, clients, conns }, 1, group, 10_000);
  return { name, cluster, load, keysWritten: 0 };
}

/** One unmeasured stretch, then one measured round on `side`. */
async function measure(side: Side, kind: PhaseKind, measuredSeconds: number): Promise<Round> {
  const spec = { kind, requestsMax, deadlineMs, keySpace, keysWritten: side.keysWritten };
  if (warmupSeconds > 0) await side.load.run({ ...spec, seconds: warmupSeconds });
  const r = await measurePhase(side.name, side.cluster, side.load, { ...spec, seconds: measuredSeconds });
  if (kind === "put") side.keysWritten = Math.max(side.keysWritten, Math.min(keySpace, r.ok));
  const dead = side.cluster.members.filter((m) => !side.cluster.isAlive(m.name)).map((m) => m.name);
  if (dead.length > 0) throw new Error(`[${side.name}] member(s) ${dead.join(", ")} exited (see their logs)`);
  return {
    qps: r.qps,
    p99Ms: r.p99Ms,
    usPerRequest: r.ok > 0 ? (r.serverCpuCores * 1e6) / r.qps : Number.NaN,
    errors: r.errors,
  };
}

async function main(): Promise<void> {
  const group = new ProcessGroup();
  group.installExitHandlers();
  const versions: Record<string, string> = {};
  const results: Array<{ order: string; a: Round; b: Round }> = [];
  try {
    const a = await startSide("A", base, arg("a-node-args", ""), group);
    const b = await startSide("B", ".", arg("b-node-args", ""), group);
    versions["A"] = await a.cluster.version();
    versions["B"] = await b.cluster.version();
    // One unmeasured put stretch per side first: compiled code and warm connections before the
    // first round (a cold first round costs about twice the CPU), and keys for ranges to read.
    for (const s of [a, b]) await measure(s, "put", seconds);
    for (let i = 0; i < rounds; i++) {
      const order = i % 2 === 0 ? [a, b] : [b, a];
      const got = new Map<string, Round>();
      for (const s of order) {
        got.set(s.name, await measure(s, phase, seconds));
        await sleep(pauseSeconds * 1000);
      }
      const ra = got.get("A")!;
      const rb = got.get("B")!;
      results.push({ order: order.map((s) => s.name).join(""), a: ra, b: rb });
      console.log(
        `round ${i + 1}/${rounds} (${order.map((s) => s.name).join(" then ")}): ` +
          `A ${fmt(ra.qps, 0)} qps ${fmt(ra.usPerRequest, 0)} µs/req p99 ${fmt(ra.p99Ms, 1)} ms; ` +
          `B ${fmt(rb.qps, 0)} qps ${fmt(rb.usPerRequest, 0)} µs/req p99 ${fmt(rb.p99Ms, 1)} ms`,
      );
    }
    a.load.close();
    b.load.close();
    await a.cluster.stop();
    await b.cluster.stop();
  } finally {
    group.killAll();
  }
  report(versions, results);
}

function report(
  versions: Record<string, string>,
  results: ReadonlyArray<{ order: string; a: Round; b: Round }>,
) {
  printTable("Machine", machineFacts(versions));
  printTable("Load", [
    ["phase", phase],
    ["clients", `${clients} closed-loop over ${conns} HTTP/2 connections, one generator process per side`],
    [
      "rounds",
      `${rounds} per side, ABBA order, each ${warmupSeconds} s unmeasured then ${seconds} s measured, ${pauseSeconds} s apart`,
    ],
  ]);
  const q = (x: number) => fmt(x, 3);
  printColumns(
    "Rounds (µs/req = the three masters' CPU per successful request)",
    [
      "round",
      "order",
      "A qps",
      "B qps",
      "A µs/req",
      "B µs/req",
      "A p99 ms",
      "B p99 ms",
      "B/A qps",
      "B/A µs/req",
      "B/A p99",
      "errors A/B",
    ],
    results.map((r, i) => [
      String(i + 1),
      r.order,
      fmt(r.a.qps, 0),
      fmt(r.b.qps, 0),
      fmt(r.a.usPerRequest, 0),
      fmt(r.b.usPerRequest, 0),
      fmt(r.a.p99Ms, 1),
      fmt(r.b.p99Ms, 1),
      q(r.b.qps / r.a.qps),
      q(r.b.usPerRequest / r.a.usPerRequest),
      q(r.b.p99Ms / r.a.p99Ms),
      `${errorText(r.a.errors)}/${errorText(r.b.errors)}`,
    ]),
  );
  printColumns(
    "Over the rounds (B/A: the per-round ratios' median, geometric mean and range)",
    ["measure", "A median", "B median", "B/A median", "B/A geo mean", "B/A range"],
    [
      summaryRow(results, "QPS", (r) => r.qps, 0),
      summaryRow(results, "server µs/req", (r) => r.usPerRequest, 0),
      summaryRow(results, "p99 ms", (r) => r.p99Ms, 1),
    ],
  );
}

/** One measure over the rounds: each side's median, and the B/A ratios' median, geometric mean and range. */
function summaryRow(
  results: ReadonlyArray<{ a: Round; b: Round }>,
  name: string,
  of: (r: Round) => number,
  digits: number,
): string[] {
  const ratios = results.map((r) => of(r.b) / of(r.a));
  const geoMean = Math.exp(ratios.reduce((sum, x) => sum + Math.log(x), 0) / ratios.length);
  return [
    name,
    fmt(median(results.map((r) => of(r.a))), digits),
    fmt(median(results.map((r) => of(r.b))), digits),
    fmt(median(ratios), 3),
    fmt(geoMean, 3),
    `${fmt(Math.min(...ratios), 3)}–${fmt(Math.max(...ratios), 3)}`,
  ];
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
