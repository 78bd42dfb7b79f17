import { describeIndexed } from "./describe.js";
import type { CheckStats, IllegalExplanation } from "./result.js";
import type { Model } from "./types.js";

/** The text reports attached to every verdict. */

export function reportOk(stats: CheckStats): string {
  return (
    `linearizable: ${stats.operations} operations in ${stats.partitions} partition(s), ` +
    `${stats.steps} search steps`
  );
}

export function reportUnknown(stats: CheckStats, exhausted: readonly number[], maxSteps: number): string {
  return (
    `unknown: search budget of ${maxSteps} steps per partition exhausted in partition(s) ` +
    `${exhausted.join(", ")} of ${stats.partitions}; no violation found in the others ` +
    `(${stats.operations} operations, ${stats.steps} steps)`
  );
}

export function reportIllegal<S, I, O>(
  model: Model<S, I, O>,
  e: IllegalExplanation<I, O>,
  prefixOpsMax: number,
): string {
  const lines: string[] = [];
  lines.push(
    `NOT LINEARIZABLE: partition ${e.partition} (${e.partitionSize} operations) has no linearization.`,
  );
  const shown = e.prefix.slice(Math.max(0, e.prefix.length - prefixOpsMax));
  const hidden = e.prefix.length - shown.length;
  lines.push(
    `Longest linearizable prefix found: ${e.prefix.length} of ${e.partitionSize} operations` +
      (hidden > 0 ? ` (the first ${hidden} not shown)` : "") +
      (e.prefix.length === 0 ? "." : ", in linearization order:"),
  );
  for (const x of shown) lines.push(`  ${describeIndexed(model, x.index, x.operation)}`);
  lines.push(`State after it: ${e.stateAfterPrefix}`);
  lines.push(
    `Real time then requires ${describeIndexed(model, e.blocked.index, e.blocked.operation)} ` +
      "or an operation called before it returned; none fits:",
  );
  for (const c of e.candidates) {
    const why =
      c.verdict === "dead-end"
        ? "accepted here, but no linearization continues from it"
        : `rejected${c.reason !== undefined ? `: ${c.reason}` : ""}`;
    lines.push(`  ${describeIndexed(model, c.index, c.operation)}: ${why}`);
  }
  return lines.join("\n");
}
