/**
 * Printed output of the benchmarks: machine facts, merged phase results, a column table,
 * and Flotilla/etcd ratios.
 */
import { cpus, totalmem } from "node:os";
import { percentile } from "../bench-util.js";
import type { BenchCluster } from "./cluster.js";
import type { LoadRunner, PhaseResult, PhaseSpec } from "./load.js";
import { machineBusySeconds } from "./processes.js";

export interface PhaseSummary {
  readonly system: string;
  readonly phase: string;
  readonly qps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly ok: number;
  /** Wall-clock length of the phase. */
  readonly seconds: number;
  readonly errors: Record<string, number>;
  /** CPU used by the load generator process(es), in cores (1.0 = one core busy). */
  readonly loadCpuCores: number;
  /** Highest event-loop utilization among the generators (1 = saturated). */
  readonly loadEventLoop: number;
  /** CPU used by the three servers together, in cores. */
  readonly serverCpuCores: number;
  /** CPU used by everything else on the machine meanwhile (other users' jobs), in cores. */
  readonly otherCpuCores: number;
}

/** Merges the results of the generators that ran one phase at the same time. */
export function summarize(
  system: string,
  phase: string,
  parts: readonly PhaseResult[],
  serverCpuSeconds: number,
  machineCpuSeconds: number,
): PhaseSummary {
  const seconds = Math.max(...parts.map((p) => p.seconds));
  const all = new Float64Array(parts.reduce((n, p) => n + p.latenciesMs.length, 0));
  let at = 0;
  for (const p of parts) {
    all.set(p.latenciesMs, at);
    at += p.latenciesMs.length;
  }
  all.sort();
  const sorted = Array.from(all);
  const errors: Record<string, number> = {};
  for (const p of parts) for (const [k, v] of Object.entries(p.errors)) errors[k] = (errors[k] ?? 0) + v;
  return {
    system,
    phase,
    qps: sorted.length / seconds,
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    maxMs: sorted.length ? sorted[sorted.length - 1]! : Number.NaN,
    ok: sorted.length,
    seconds,
    errors,
    loadCpuCores: parts.reduce((s, p) => s + p.cpuSeconds, 0) / seconds,
    loadEventLoop: Math.max(...parts.map((p) => p.eventLoopUtilization)),
    serverCpuCores: serverCpuSeconds / seconds,
    otherCpuCores:
      Math.max(0, machineCpuSeconds - serverCpuSeconds - parts.reduce((s, p) => s + p.cpuSeconds, 0)) /
      seconds,
  };
}

export function errorText(errors: Record<string, number>): string {
  const entries = Object.entries(errors);
  if (entries.length === 0) return "0";
  return entries.map(([k, v]) => `${v} ${k}`).join(", ");
}

/** A left-aligned column table with a header row. */
export function printColumns(title: string, header: readonly string[], rows: readonly string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]): string =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  console.log(`\n${title}`);
  console.log(line(header));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const r of rows) console.log(line(r));
}

export function fmt(n: number, digits = 1): string {
  return Number.isFinite(n) ? n.toFixed(digits) : "-";
}

/** a / b formatted as "1.23x", or "-" when either is missing. */
export function ratio(a: number, b: number): string {
  return Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(2)}x` : "-";
}

export function median(values: readonly number[]): number {
  const s = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function machineFacts(versions: Record<string, string>): Array<readonly [string, string]> {
  const c = cpus();
  return [
    ["cores", `${c.length} (${c[0]?.model.trim() ?? "?"})`],
    ["memory", `${(totalmem() / 2 ** 30).toFixed(1)} GiB`],
    ["node", process.version],
    ...Object.entries(versions).map(([k, v]) => [k, v] as const),
  ];
}

/** Runs one measured phase of `load` against `cluster`: its results with the CPU it cost. */
export async function measurePhase(
  label: string,
  cluster: BenchCluster,
  load: LoadRunner,
  spec: PhaseSpec,
): Promise<PhaseSummary> {
  const cpu0 = cluster.cpuSeconds();
  const machine0 = machineBusySeconds();
  const parts = await load.run(spec);
  return summarize(label, spec.kind, parts, cluster.cpuSeconds() - cpu0, machineBusySeconds() - machine0);
}
