/**
 * ConfigMap creates through the API: a closed loop (C creates in flight, each starting the
 * next when it is answered) for throughput, and a paced open loop for the watch phase
 * (creates sent at a fixed rate, so delivery latency is not inflated by a saturated writer).
 * One ApiClient per master, each with the endpoint list rotated so its first choice differs;
 * creates go round-robin over them.
 */
import { performance } from "node:perf_hooks";
import { ApiClient, ApiStatusError, type KubeObject } from "../../../libs/client/index.js";
import { nowMs } from "./protocol.js";

const PAD = "x".repeat(64);

export function apiClients(endpoints: readonly string[]): ApiClient[] {
  return endpoints.map((_, i) => new ApiClient([...endpoints.slice(i), ...endpoints.slice(0, i)]));
}

export function configMap(namespace: string, name: string, data: Record<string, string>): KubeObject {
  return { apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace }, data: { ...data, pad: PAD } };
}

function reasonOf(err: unknown): string {
  return err instanceof ApiStatusError
    ? err.reason || String(err.code)
    : err instanceof Error
      ? err.name
      : "error";
}

export interface ClosedLoopResult {
  readonly ok: number;
  readonly seconds: number;
  readonly latenciesMs: Float64Array;
  readonly errors: Record<string, number>;
  readonly eventLoopUtilization: number;
  readonly cpuSeconds: number;
}

/** `concurrency` closed-loop creators for `seconds` (or `requestsMax` creates, whichever first). */
export async function closedLoopCreates(
  clients: readonly ApiClient[],
  opts: { namespace: string; prefix: string; seconds: number; concurrency: number; requestsMax: number },
): Promise<ClosedLoopResult> {
  const latencies = new Float64Array(opts.requestsMax);
  const errors: Record<string, number> = {};
  let issued = 0;
  let ok = 0;
  const t0 = nowMs();
  const end = t0 + opts.seconds * 1000;
  const elu0 = performance.eventLoopUtilization();
  const cpu0 = process.cpuUsage();
  const worker = async (): Promise<void> => {
    while (nowMs() < end && issued < opts.requestsMax) {
      const i = issued++;
      const api = clients[i % clients.length]!;
      const start = nowMs();
      try {
        await api
          .resource("configmaps", opts.namespace)
          .create(configMap(opts.namespace, `${opts.prefix}-${i}`, { seq: String(i) }));
        latencies[ok++] = nowMs() - start;
      } catch (err) {
        const r = reasonOf(err);
        errors[r] = (errors[r] ?? 0) + 1;
      }
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  const cpu = process.cpuUsage(cpu0);
  return {
    ok,
    seconds: (nowMs() - t0) / 1000,
    latenciesMs: latencies.subarray(0, ok),
    errors,
    eventLoopUtilization: performance.eventLoopUtilization(elu0).utilization,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
  };
}

export interface PacedResult {
  readonly count: number;
  readonly sentMs: number[];
  readonly ackMs: number[];
  /** seq of each acknowledged create, ordered by the resourceVersion the server returned. */
  readonly seqsByRevision: number[];
  readonly errors: Record<string, number>;
  readonly seconds: number;
}

/** `count` creates at `ratePerSecond`, at most `inFlightMax` unanswered; seq i is named `${prefix}-${i}`. */
export async function pacedCreates(
  clients: readonly ApiClient[],
  opts: { namespace: string; prefix: string; count: number; ratePerSecond: number; inFlightMax: number },
): Promise<PacedResult> {
  const sentMs = new Array<number>(opts.count).fill(Number.NaN);
  const ackMs = new Array<number>(opts.count).fill(Number.NaN);
  const revs: Array<{ seq: number; rv: bigint }> = [];
  const errors: Record<string, number> = {};
  const inFlight = new Set<Promise<void>>();
  const t0 = nowMs();
  for (let seq = 0; seq < opts.count; seq++) {
    const due = t0 + (seq * 1000) / opts.ratePerSecond;
    const wait = due - nowMs();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    while (inFlight.size >= opts.inFlightMax) await Promise.race(inFlight);
    const api = clients[seq % clients.length]!;
    sentMs[seq] = nowMs();
    const p: Promise<void> = api
      .resource("configmaps", opts.namespace)
      .create(
        configMap(opts.namespace, `${opts.prefix}-${seq}`, { seq: String(seq), sentMs: String(sentMs[seq]) }),
      )
      .then(
        (obj) => {
          ackMs[seq] = nowMs();
          revs.push({ seq, rv: BigInt(obj.metadata.resourceVersion ?? "0") });
        },
        (err: unknown) => {
          const r = reasonOf(err);
          errors[r] = (errors[r] ?? 0) + 1;
        },
      )
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
  }
  await Promise.all(inFlight);
  revs.sort((a, b) => (a.rv < b.rv ? -1 : a.rv > b.rv ? 1 : 0));
  return {
    count: revs.length,
    sentMs,
    ackMs,
    seqsByRevision: revs.map((r) => r.seq),
    errors,
    seconds: (nowMs() - t0) / 1000,
  };
}
