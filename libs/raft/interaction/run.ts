import { readFileSync, writeFileSync } from "node:fs";
import { basename } from "node:path";
import { type Block, parseFile, rewriteFile } from "./datadriven.js";
import { lineDiff } from "./diff.js";
import { InteractionEnv } from "./env.js";
import { runCommand } from "./handlers.js";

export interface Mismatch {
  readonly block: Block;
  readonly actual: string;
  /** A readable report: file, line, command, and a line diff of expected against actual. */
  readonly report: string;
}

/** Runs a block's commands in env and returns their output ("ok" when they printed nothing). */
export function runBlock(env: InteractionEnv, block: Block): string {
  for (const line of block.commands) runCommand(env, line);
  const out = env.takeOutput();
  return out === "" ? "ok" : out;
}

/**
 * Runs one testdata file in a fresh environment. In check mode, stops at the first block whose
 * output differs and returns it. In rewrite mode, runs every block and writes the actual
 * outputs back into the file.
 */
export function runFile(path: string, rewrite: boolean): Mismatch | undefined {
  const content = readFileSync(path, "utf8");
  const blocks = parseFile(basename(path), content);
  const env = new InteractionEnv();
  const actual: string[] = [];
  for (const block of blocks) {
    const out = runBlock(env, block);
    actual.push(out);
    if (!rewrite && out !== block.expected) {
      const cmd = block.commands.map((c) => c.text).join("; ");
      const report = `${basename(path)}:${block.line}: output of \`${cmd}\` differs (- expected, + actual):\n${lineDiff(block.expected, out)}`;
      return { block, actual: out, report };
    }
  }
  if (rewrite) {
    const next = rewriteFile(content, blocks, actual);
    if (next !== content) writeFileSync(path, next);
  }
  return undefined;
}
