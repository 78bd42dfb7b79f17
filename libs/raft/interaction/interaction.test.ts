import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runFile } from "./run.js";

/**
 * Every libs/raft/testdata/*.txt is one interaction script; its expected outputs are exact.
 * `REWRITE=1 npx vitest run libs/raft/interaction` regenerates them from the actual outputs
 * (then read the diff: an expectation is only worth what its review was).
 */
const TESTDATA = join(dirname(fileURLToPath(import.meta.url)), "..", "testdata");
const REWRITE = process.env["REWRITE"] === "1";
const files = readdirSync(TESTDATA)
  .filter((f) => f.endsWith(".txt"))
  .sort();

describe("raft interaction scripts (libs/raft/testdata)", () => {
  it("finds the scripts", () => {
    expect(files.length).toBeGreaterThan(0);
  });

  for (const file of files) {
    it(`${file} produces its recorded trace`, () => {
      const mismatch = runFile(join(TESTDATA, file), REWRITE);
      if (mismatch) expect.fail(mismatch.report);
    });
  }
});
