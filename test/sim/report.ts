import type { SimResult } from "./driver.js";

/** Totals over many runs, for the CLI summary. */
export interface Totals {
  seeds: number;
  failures: number[];
  elections: number;
  commits: number;
  acknowledged: number;
  readsAnswered: number;
  readsMisrouted: number;
  crashes: number;
  snapshotsSent: number;
  membershipChanges: number;
  messages: number;
  faults: Record<string, number>;
  livenessStepsMax: number;
  /** Store-mode figures summed over runs; `storeSeeds` runs reported them. */
  store: Record<string, number>;
  storeSeeds: number;
}

export function emptyTotals(): Totals {
  return {
    seeds: 0,
    failures: [],
    elections: 0,
    commits: 0,
    acknowledged: 0,
    readsAnswered: 0,
    readsMisrouted: 0,
    crashes: 0,
    snapshotsSent: 0,
    membershipChanges: 0,
    messages: 0,
    faults: {},
    livenessStepsMax: 0,
    store: {},
    storeSeeds: 0,
  };
}

export function addResult(t: Totals, r: SimResult): void {
  const s = r.stats;
  t.seeds++;
  if (!r.ok) t.failures.push(r.seed);
  t.elections += s.elections;
  t.commits += s.commits;
  t.acknowledged += s.acknowledged;
  t.readsAnswered += s.readsAnswered;
  t.readsMisrouted += s.readsMisrouted;
  t.crashes += s.crashes;
  t.snapshotsSent += s.snapshotsSent;
  t.membershipChanges += s.membersAdded + s.membersRemoved;
  t.messages += s.network.sent;
  for (const [k, v] of Object.entries(s.faultsInjected)) t.faults[k] = (t.faults[k] ?? 0) + v;
  t.livenessStepsMax = Math.max(t.livenessStepsMax, s.livenessSteps ?? 0);
  if (s.store !== undefined) {
    t.storeSeeds++;
    for (const [k, v] of Object.entries(s.store)) t.store[k] = (t.store[k] ?? 0) + v;
  }
}

/** A failed run as a human reads it: seed, config, violations, replay command, trace tail. */
export function formatFailure(r: SimResult): string {
  return [
    `FAIL seed ${r.seed}: ${r.config}`,
    ...r.violations.slice(0, 5).map((v) => `  [${v.checker}] step ${v.step}: ${v.message}`),
    `  replay: ${r.replay}`,
    `  last ${r.traceTail.length} events:`,
    ...r.traceTail.map((l) => `    ${l}`),
  ].join("\n");
}

export function formatTotals(t: Totals, elapsedMs: number): string {
  const faults = Object.entries(t.faults)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`)
    .join(" ");
  return [
    `seeds run: ${t.seeds}, failures: ${t.failures.length}${t.failures.length > 0 ? ` (${t.failures.join(", ")})` : ""}`,
    `elapsed: ${(elapsedMs / 1000).toFixed(1)} s (${(elapsedMs / Math.max(1, t.seeds)).toFixed(1)} ms/seed)`,
    `elections: ${t.elections}, entries applied (max index, summed): ${t.commits}, proposals acknowledged: ${t.acknowledged}`,
    `reads answered: ${t.readsAnswered} (misrouted: ${t.readsMisrouted}), crashes: ${t.crashes}, snapshots sent: ${t.snapshotsSent}, members added+removed: ${t.membershipChanges}`,
    `messages sent: ${t.messages}, slowest liveness after heal: ${t.livenessStepsMax} steps`,
    `fault episodes injected: ${faults}`,
    ...formatStore(t),
  ].join("\n");
}

/** The store mode's lines: what the clients did and what the checks covered. */
function formatStore(t: Totals): string[] {
  if (t.storeSeeds === 0) return [];
  const g = (k: string): number => t.store[k] ?? 0;
  const per = (k: string): string => (g(k) / t.storeSeeds).toFixed(1);
  return [
    `store ops recorded: ${g("operations")} (${per("operations")}/seed; final reads ${g("finalReads")}), unknown outcomes: ${g("unknown")}, ` +
      `refused: ${g("refused")}, timeouts: ${g("timeouts")}`,
    `linearizability: inconclusive keys (budget exhausted): ${g("inconclusive")}, search steps: ${g("searchSteps")}; ` +
      `serializable reads checked: ${g("serializableReads")}; store hash comparisons: ${g("hashComparisons")}`,
    `watch events checked: ${g("watchEvents")} (${per("watchEvents")}/seed), watchers: ${g("watchers")}, resumes: ${g("watchResumes")}, ` +
      `lost with their node: ${g("watchersLostWithNode")}, compacted responses: ${g("watchCompacted")}, ` +
      `snapshot restores under an open watch: ${g("watchRestores")}`,
    `revisions: ${g("revisions")}, compactions applied: ${g("compactions")}, leases granted: ${g("leases")}, ` +
      `replayed entries the store ignored: ${g("replaysIgnored")}`,
  ];
}

/** The failed seeds in one line, then the first three in full; "" when none failed (tests compare to it). */
export function describeFailures(failed: readonly SimResult[]): string {
  if (failed.length === 0) return "";
  return [
    `${failed.length} seed(s) failed: ${failed.map((r) => r.seed).join(", ")}`,
    ...failed.slice(0, 3).map(formatFailure),
  ].join("\n\n");
}
