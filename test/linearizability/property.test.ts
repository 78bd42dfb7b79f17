import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { KV_CHECKS, type KvOp, type PlannedOp, runPlan } from "./fixtures.js";
import type { KvInput } from "./index.js";

/**
 * Histories linearizable by construction: a reference sequential store applies operations at
 * increasing points, and each client interval is stretched randomly around its point. Unknown
 * outcomes are open to the right, and may or may not have been applied.
 */

const SPACING = 10;

const plannedStep = fc.record({
  kind: fc.constantFrom("get", "get", "put", "put", "delete", "cas"),
  key: fc.constantFrom("a", "b", "c"),
  clientId: fc.integer({ min: 0, max: 4 }),
  before: fc.integer({ min: 0, max: 4 * SPACING }),
  after: fc.integer({ min: 0, max: 4 * SPACING }),
  unknown: fc.boolean().chain((b) => (b ? fc.boolean() : fc.constant(false))),
  applied: fc.boolean(),
  expectedPick: fc.nat(),
});

const plan = fc.array(plannedStep, { minLength: 1, maxLength: 40 }).map((steps) =>
  steps.map((s, i): PlannedOp => {
    const value = `v${i}`;
    const expected = s.expectedPick % (i + 1) === 0 ? null : `v${s.expectedPick % i}`;
    const input: KvInput =
      s.kind === "get" || s.kind === "delete"
        ? { kind: s.kind, key: s.key }
        : s.kind === "put"
          ? { kind: "put", key: s.key, value }
          : { kind: "cas", key: s.key, expected, value };
    const point = (i + 1) * SPACING;
    return {
      clientId: s.clientId,
      input,
      point,
      before: s.before,
      after: s.after,
      unknown: s.unknown,
      applied: s.applied,
    };
  }),
);

function completedReads(history: readonly KvOp[]): number[] {
  const at: number[] = [];
  history.forEach((o, i) => {
    if (o.input.kind === "get" && o.output !== "unknown") at.push(i);
  });
  return at;
}

describe.each(KV_CHECKS)("generated histories (%s)", (_, check) => {
  it("a history produced by a sequential store with overlapping client intervals is linearizable", () => {
    fc.assert(
      fc.property(plan, (p) => {
        const r = check(runPlan(p));
        expect(r.outcome, r.report).toBe("ok");
      }),
      { numRuns: 300 },
    );
  });

  it("changing one read to return a value never written makes the history illegal", () => {
    fc.assert(
      fc.property(plan, fc.nat(), (p, pick) => {
        const history = runPlan(p);
        const reads = completedReads(history);
        fc.pre(reads.length > 0);
        const at = reads[pick % reads.length]!;
        const mutated = history.slice();
        mutated[at] = { ...history[at]!, output: { kind: "get", value: "never-written" } };
        expect(check(mutated).outcome).toBe("illegal");
      }),
      { numRuns: 300 },
    );
  });
});
