import { describe, expect, it } from "vitest";
import { randomKvHistory } from "./fixtures.js";
import { checkHistory, kvModel } from "./index.js";

/**
 * Sizes the simulator produces per seed. Asserts steps, not milliseconds, so the test does
 * not flake on a slow machine; at roughly a microsecond per step these take tens of ms.
 */
describe("checking simulator-sized histories", () => {
  it.each([1, 2, 3])(
    "a 2,000-operation, 20-key history from seed %i is decided within 100,000 steps",
    (seed) => {
      const history = randomKvHistory({
        seed,
        operations: 2_000,
        keys: 20,
        clients: 10,
        latencyMax: 20,
        unknownFraction: 0.05,
      });
      const r = checkHistory(kvModel, history);
      expect(r.outcome, r.report).toBe("ok");
      expect(r.stats.partitions).toBe(20);
      expect(r.stats.steps).toBeLessThan(100_000);
    },
  );
});
