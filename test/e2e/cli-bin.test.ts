/**
 * The README's first command is `npx flotilla up`, which runs the built entry
 * (dist/services/cli/main.js, the package's bin) directly: it must be executable and run.
 * npm ci builds it (prepare → npm run build); so does `npm run build`.
 */
import { accessSync, constants } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT, run } from "./support/child-process.js";

const BIN = join(ROOT, "dist/services/cli/main.js");

describe("the built flotilla bin", () => {
  it("is executable, and runs as a program (shebang, ES modules, help text)", async () => {
    expect(() => accessSync(BIN, constants.X_OK), `${BIN} must be built and executable`).not.toThrow();
    const r = await run(BIN, ["--help"], { timeoutMs: 20_000 });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/flotilla up/);
  });
});
