import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseCmdLine, parseFile, rewriteFile } from "./datadriven.js";
import { lineDiff } from "./diff.js";
import { runFile } from "./run.js";

describe("the datadriven file format", () => {
  it("parses positional, key=value and key=(list) arguments", () => {
    const c = parseCmdLine("add-nodes 3 voters=(1,2,3) index=2 learners=()");
    expect(c.cmd).toBe("add-nodes");
    expect(c.args).toEqual([
      { key: "3", vals: [] },
      { key: "voters", vals: ["1", "2", "3"] },
      { key: "index", vals: ["2"] },
      { key: "learners", vals: [] },
    ]);
  });

  it("reads blocks with comments, several commands, and empty outputs", () => {
    const blocks = parseFile("t.txt", "# comment\ncmd a\n----\nout1\nout2\n\nx\ny\n----\n\nlast\n----\nok\n");
    expect(blocks.map((b) => [b.commands.map((c) => c.text), b.expected, b.line])).toEqual([
      [["cmd a"], "out1\nout2", 2],
      [["x", "y"], "", 7],
      [["last"], "ok", 11],
    ]);
  });

  it("reads an output holding blank lines in the double-separator form", () => {
    const blocks = parseFile("t.txt", "cmd\n----\n----\na\n\nb\n----\n----\n\nnext\n----\nok\n");
    expect(blocks.map((b) => b.expected)).toEqual(["a\n\nb", "ok"]);
  });

  it("names the file and line of a malformed block", () => {
    expect(() => parseFile("t.txt", "cmd\nno separator\n")).toThrow(
      /t\.txt:3: expected ---- after the command\(s\) of line 1/,
    );
  });

  it("rewrites outputs in place, choosing the double form only when needed", () => {
    const src = "# c\na\n----\nold\n\nb\n----\n----\nx\n\ny\n----\n----\n";
    const blocks = parseFile("t.txt", src);
    const out = rewriteFile(src, blocks, ["new\n\nlines", "single"]);
    expect(out).toBe("# c\na\n----\n----\nnew\n\nlines\n----\n----\n\nb\n----\nsingle\n");
    expect(parseFile("t.txt", out).map((b) => b.expected)).toEqual(["new\n\nlines", "single"]);
  });

  it("diffs line by line", () => {
    expect(lineDiff("a\nb\nc", "a\nx\nc")).toBe("  a\n+ x\n- b\n  c");
  });
});

describe("running a script", () => {
  const dir = mkdtempSync(join(tmpdir(), "raft-interaction-"));

  it("reports the first mismatching block with its file, line and a diff", () => {
    const path = join(dir, "bad.txt");
    writeFileSync(path, "add-nodes 1 voters=(1)\n----\nwrong\n");
    const m = runFile(path, false);
    expect(m?.report).toContain("bad.txt:1: output of `add-nodes 1 voters=(1)` differs");
    expect(m?.report).toContain("- wrong");
    expect(m?.report).toContain("+ INFO 1 became follower at term 1");
  });

  it("rewrites the expectations in rewrite mode, and then passes", () => {
    const path = join(dir, "rw.txt");
    writeFileSync(path, "add-nodes 1 voters=(1)\n----\n\ncampaign 1\n----\n");
    expect(runFile(path, true)).toBeUndefined();
    expect(readFileSync(path, "utf8")).toContain("INFO 1 became leader at term 2");
    expect(runFile(path, false)).toBeUndefined();
  });

  it("fails loudly on an unknown command or argument", () => {
    const path = join(dir, "usage.txt");
    writeFileSync(path, "add-nodes 1 voterz=(1)\n----\nok\n");
    expect(() => runFile(path, false)).toThrow(/unknown argument voterz/);
  });
});
