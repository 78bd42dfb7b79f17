/**
 * What the benchmark process and its watcher child process say to each other over the
 * fork IPC channel, and the shape of the ConfigMaps both sides read. Times are
 * milliseconds since the epoch with sub-millisecond precision (`nowMs`), comparable across
 * processes on one machine.
 */
import { performance } from "node:perf_hooks";

/** The epoch time in ms, with performance.now()'s resolution; the same clock in every process. */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

/** The ConfigMap whose ADDED event tells the child that every watch stream is live. */
export const PROBE_NAME = "probe";

/** Parent → child: open the watches. */
export interface StartMessage {
  readonly type: "start";
  readonly endpoints: readonly string[];
  readonly watchers: number;
  /** HTTP/2 connections per master shared by the watchers. */
  readonly connsPerMaster: number;
  readonly namespace: string;
  /** Watch from here: the namespace's creation, so nothing before the phase is replayed. */
  readonly resourceVersion: string;
  /** Upper bound of measured events (sizes the per-watcher arrays). */
  readonly eventsMax: number;
}

/** Parent → child: every measured create is acknowledged; wait for delivery, then report. */
export interface FinishMessage {
  readonly type: "finish";
  /** seq of each acknowledged create, in resourceVersion order: what every watcher must see. */
  readonly expectedSeqs: readonly number[];
  /** sentMs[seq]: when the writer called create. */
  readonly sentMs: readonly number[];
  /** ackMs[seq]: when the create's response arrived at the writer. */
  readonly ackMs: readonly number[];
  readonly deliveryTimeoutMs: number;
}

export type ToChild = StartMessage | FinishMessage;

/** Child → parent. */
export type FromChild =
  | { readonly type: "ready"; readonly openMs: number }
  | { readonly type: "result"; readonly result: WatchResult }
  | { readonly type: "error"; readonly message: string };

export interface WatchResult {
  readonly watchers: number;
  readonly eventsExpected: number;
  /** Fewest and most measured events one watcher received. */
  readonly receivedMin: number;
  readonly receivedMax: number;
  /** Watchers whose sequence was not exactly `expectedSeqs` (missing, extra, repeated or reordered). */
  readonly badWatchers: number;
  /** The first few problems, for the report. */
  readonly problems: readonly string[];
  readonly fromSend: Percentiles;
  readonly fromAck: Percentiles;
  /** CPU seconds the child used while the measured events were delivered. */
  readonly cpuSeconds: number;
  readonly eventLoopUtilization: number;
}

export interface Percentiles {
  readonly count: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

/** The data of a measured ConfigMap: its sequence number and when the writer sent it. */
export interface BenchData {
  readonly seq: string;
  readonly sentMs: string;
  readonly pad: string;
}
