import { describe, expect, it } from "vitest";
import type { Entry } from "../../libs/raft/index.js";
import { runSeed, type SimResult } from "./driver.js";
import { describeFailures, formatFailure } from "./report.js";
import { HashChainStateMachine, type StateMachine } from "./state-machine.js";

/** 1,000 seeds in four blocks, so a failure names a small range and progress shows. */
const SEEDS_TOTAL = 1000;
const BLOCKS = 4;

function runRange(first: number, count: number): SimResult[] {
  const failed: SimResult[] = [];
  for (let seed = first; seed < first + count; seed++) {
    const r = runSeed({ seed });
    if (!r.ok) failed.push(r);
  }
  return failed;
}

describe("deterministic simulation of the raft core", () => {
  const per = SEEDS_TOTAL / BLOCKS;
  for (let b = 0; b < BLOCKS; b++) {
    const first = 1 + b * per;
    it(`keeps every safety property and recovers after healing, seeds ${first}..${first + per - 1}`, () => {
      const failed = runRange(first, per);
      expect(describeFailures(failed)).toBe("");
    }, 180_000);
  }

  it("replays a seed exactly", () => {
    const a = runSeed({ seed: 4242 });
    const b = runSeed({ seed: 4242 });
    expect(b.stats).toEqual(a.stats);
    expect(b.traceTail).toEqual(a.traceTail);
    expect(a.stats.elections).toBeGreaterThan(0);
    expect(a.stats.acknowledged).toBeGreaterThan(0);
  });

  it("prints the command that replays a failed run, with the flags that matter", () => {
    const r = runSeed({ seed: 7, nodes: 5, faultTicks: 50, faults: ["crash", "partition"] });
    expect(r.replay).toBe("npm run sim -- --seed 7 --nodes 5 --ticks 50 --faults crash,partition");
  });

  it("catches a state machine that diverges between replicas", () => {
    // Each replica folds its own id into the hash: state machine safety must notice.
    let instances = 0;
    const broken = (): StateMachine => {
      const inner = new HashChainStateMachine();
      const me = instances++;
      return {
        apply: (e: Entry) => inner.apply(e),
        snapshot: () => inner.snapshot(),
        restore: (d: Uint8Array) => inner.restore(d),
        hash: () => `${inner.hash()}#${me}`,
      };
    };
    const r = runSeed({ seed: 3, faultTicks: 50, faults: [], smFactory: broken });
    expect(r.ok).toBe(false);
    expect(r.violations[0]?.checker).toBe("state-machine-safety");
    expect(formatFailure(r)).toContain("npm run sim -- --seed 3");
  });
});
