/**
 * proto/generated/ is produced by `npm run gen:proto`; nobody edits it by hand. This test
 * regenerates the types into a scratch folder and requires the committed copy to match, so
 * a .proto change without regenerated types fails here rather than as a confusing type
 * error somewhere else.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..");
const committed = join(root, "proto", "generated");
const scratch = mkdtempSync(join(tmpdir(), "flotilla-gen-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function files(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(relative(dir, p), readFileSync(p, "utf8"));
    }
  };
  walk(dir);
  return out;
}

describe("generated proto types", () => {
  it("match what `npm run gen:proto` produces from the .proto files", () => {
    execFileSync(process.execPath, [join(root, "scripts", "gen-proto-types.mjs"), "--out", scratch]);
    const fresh = files(scratch);
    const have = files(committed);
    expect([...have.keys()].sort()).toEqual([...fresh.keys()].sort());
    for (const [name, text] of fresh) expect(have.get(name), name).toBe(text);
  });
});
