/**
 * The watcher process of the API benchmark (forked by watcher-process.ts): N watches of
 * ConfigMaps in one namespace, spread over the three masters, each recording when every
 * event arrived and in which order. Run as a separate process so that decoding a thousand
 * copies of every event does not share an event loop (or a core's time slice) with the
 * writer whose acknowledgement times it is compared with.
 */
import { setMaxListeners } from "node:events";
import { performance } from "node:perf_hooks";
import { ApiClient, type KubeObject } from "../../../libs/client/index.js";
import { percentile } from "../bench-util.js";
import {
  type BenchData,
  type FinishMessage,
  type FromChild,
  nowMs,
  type Percentiles,
  PROBE_NAME,
  type StartMessage,
  type ToChild,
  type WatchResult,
} from "./protocol.js";

const PROBLEMS_MAX = 10;
const PROBE_TIMEOUT_MS = 60_000;

interface ConfigMap extends KubeObject {
  data?: BenchData;
}

function send(msg: FromChild): void {
  process.send?.(msg);
}

/** Every watcher's arrival times and arrival order, in flat typed arrays. */
class Recorder {
  readonly recvMs: Float64Array;
  readonly order: Int32Array;
  readonly counts: Int32Array;
  readonly probeSeen: Uint8Array;
  readonly problems: string[] = [];
  readonly failed = new Set<number>();
  probes = 0;

  constructor(
    readonly watchers: number,
    readonly eventsMax: number,
  ) {
    this.recvMs = new Float64Array(watchers * eventsMax).fill(Number.NaN);
    this.order = new Int32Array(watchers * eventsMax).fill(-1);
    this.counts = new Int32Array(watchers);
    this.probeSeen = new Uint8Array(watchers);
  }

  fail(w: number, why: string): void {
    this.failed.add(w);
    if (this.problems.length < PROBLEMS_MAX) this.problems.push(`watcher ${w}: ${why}`);
  }

  record(w: number, type: string, obj: ConfigMap, at: number): void {
    if (obj.metadata.name === PROBE_NAME) {
      if (this.probeSeen[w] === 0) this.probes++;
      this.probeSeen[w] = 1;
      return;
    }
    if (type !== "ADDED") {
      this.fail(w, `unexpected ${type} of ${obj.metadata.name}`);
      return;
    }
    const seq = Number(obj.data?.seq);
    if (!Number.isInteger(seq) || seq < 0 || seq >= this.eventsMax) {
      this.fail(w, `event with bad seq ${obj.data?.seq}`);
      return;
    }
    const n = this.counts[w]!;
    if (n >= this.eventsMax) {
      this.fail(w, "more events than were written");
      return;
    }
    if (!Number.isNaN(this.recvMs[w * this.eventsMax + seq]!)) this.fail(w, `seq ${seq} received twice`);
    this.recvMs[w * this.eventsMax + seq] = at;
    this.order[w * this.eventsMax + n] = seq;
    this.counts[w] = n + 1;
  }

  received(): number {
    let total = 0;
    for (const c of this.counts) total += c;
    return total;
  }
}

function summarize(values: Float64Array, n: number): Percentiles {
  const sorted = Array.from(values.subarray(0, n).sort());
  return {
    count: n,
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    maxMs: n > 0 ? sorted[n - 1]! : Number.NaN,
  };
}

async function runWatch(api: ApiClient, start: StartMessage, w: number, rec: Recorder, signal: AbortSignal) {
  const watch = api.resource<ConfigMap>("configmaps", start.namespace).watch({
    resourceVersion: start.resourceVersion,
    signal,
  });
  try {
    for await (const ev of watch) rec.record(w, ev.type, ev.object, nowMs());
    if (!signal.aborted) rec.fail(w, "the server ended the stream");
  } catch (err) {
    if (!signal.aborted) rec.fail(w, `stream failed: ${err instanceof Error ? err.message : String(err)}`);
  }
}

async function waitFor(cond: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
  return cond();
}

async function main(): Promise<void> {
  const start = await new Promise<StartMessage>((resolve) => {
    process.once("message", (m: ToChild) => {
      if (m.type === "start") resolve(m);
    });
  });
  const t0 = nowMs();
  const eps = start.endpoints;
  const clients: ApiClient[] = [];
  for (let c = 0; c < start.connsPerMaster; c++) {
    for (let i = 0; i < eps.length; i++) {
      // Rotated endpoint lists: each client's first choice is a different master. A local
      // subchannel pool gives each client its own HTTP/2 connection.
      const rotated = [...eps.slice(i), ...eps.slice(0, i)];
      clients.push(new ApiClient(rotated, { channelOptions: { "grpc.use_local_subchannel_pool": 1 } }));
    }
  }
  const rec = new Recorder(start.watchers, start.eventsMax);
  const abort = new AbortController();
  // Every watch listens on this one signal.
  setMaxListeners(start.watchers + 10, abort.signal);
  const streams = Array.from({ length: start.watchers }, (_, w) =>
    runWatch(clients[w % clients.length]!, start, w, rec, abort.signal),
  );
  const finishP = new Promise<FinishMessage>((resolve) => {
    process.on("message", (m: ToChild) => {
      if (m.type === "finish") resolve(m);
    });
  });
  if (!(await waitFor(() => rec.probes === start.watchers || rec.failed.size > 0, PROBE_TIMEOUT_MS))) {
    throw new Error(
      `only ${rec.probes} of ${start.watchers} watchers saw the probe within ${PROBE_TIMEOUT_MS} ms`,
    );
  }
  if (rec.failed.size > 0) throw new Error(`watchers failed while opening: ${rec.problems.join("; ")}`);
  send({ type: "ready", openMs: nowMs() - t0 });
  const cpu0 = process.cpuUsage();
  const elu0 = performance.eventLoopUtilization();
  const finish = await finishP;
  const expected = finish.expectedSeqs;
  const total = expected.length * start.watchers;
  await waitFor(
    () => rec.received() >= total || rec.failed.size === start.watchers,
    finish.deliveryTimeoutMs,
  );
  const cpu = process.cpuUsage(cpu0);
  const elu = performance.eventLoopUtilization(elu0);
  abort.abort();
  await Promise.allSettled(streams);
  for (const c of clients) c.close();
  send({ type: "result", result: verify(rec, finish, cpu.user / 1e6 + cpu.system / 1e6, elu.utilization) });
}

/** Checks every watcher's sequence against the expected one and computes the latencies. */
function verify(rec: Recorder, finish: FinishMessage, cpuSeconds: number, elu: number): WatchResult {
  const expected = finish.expectedSeqs;
  const E = rec.eventsMax;
  const fromSend = new Float64Array(rec.watchers * expected.length);
  const fromAck = new Float64Array(rec.watchers * expected.length);
  let n = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = 0;
  for (let w = 0; w < rec.watchers; w++) {
    const count = rec.counts[w]!;
    min = Math.min(min, count);
    max = Math.max(max, count);
    if (count !== expected.length) rec.fail(w, `received ${count} of ${expected.length} events`);
    for (let i = 0; i < Math.min(count, expected.length); i++) {
      if (rec.order[w * E + i] !== expected[i]) {
        rec.fail(
          w,
          `event ${i} was seq ${rec.order[w * E + i]}, expected seq ${expected[i]} (order differs)`,
        );
        break;
      }
    }
  }
  for (let w = 0; w < rec.watchers; w++) {
    for (const seq of expected) {
      const at = rec.recvMs[w * E + seq]!;
      if (Number.isNaN(at)) continue;
      fromSend[n] = at - (finish.sentMs[seq] ?? Number.NaN);
      fromAck[n] = at - (finish.ackMs[seq] ?? Number.NaN);
      n++;
    }
  }
  return {
    watchers: rec.watchers,
    eventsExpected: expected.length,
    receivedMin: min,
    receivedMax: max,
    badWatchers: rec.failed.size,
    problems: rec.problems,
    fromSend: summarize(fromSend, n),
    fromAck: summarize(fromAck, n),
    cpuSeconds,
    eventLoopUtilization: elu,
  };
}

process.on("disconnect", () => process.exit(1));
main().then(
  () => process.exit(0),
  (err: unknown) => {
    send({ type: "error", message: err instanceof Error ? err.message : String(err) });
    setTimeout(() => process.exit(1), 100);
  },
);
