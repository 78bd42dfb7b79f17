/**
 * Data-driven test files (after cockroachdb/datadriven, as used by etcd raft's testdata/*.txt).
 *
 * A file is a sequence of blocks separated by blank lines. Lines starting with `#` between
 * blocks are comments. A block is one or more command lines, a `----` separator, then the
 * exact expected output:
 *
 *     # comment
 *     propose 1 foo
 *     ----
 *     ok
 *
 * A command line is `command arg key=value key=(a,b,c) ...`: bare words are positional
 * arguments, `key=value` and `key=(a,b,c)` are named ones. Every command line of a block runs in
 * order and their outputs are concatenated.
 *
 * The output ends at the first blank line. An output that contains blank lines uses the
 * double-separator form and ends at a `----` line directly followed by another `----` line:
 *
 *     cmd
 *     ----
 *     ----
 *     first paragraph
 *
 *     second paragraph
 *     ----
 *     ----
 *
 * The rewriter picks the form by itself, so authors rarely write the second one by hand.
 */

export interface CmdArg {
  readonly key: string;
  /** Empty for a positional argument (its text is in `key`). */
  readonly vals: readonly string[];
}

export interface CmdLine {
  readonly cmd: string;
  readonly args: readonly CmdArg[];
  /** The line as written, for error messages. */
  readonly text: string;
}

export interface Block {
  readonly commands: readonly CmdLine[];
  readonly expected: string;
  /** 1-based line of the first command, for error messages. */
  readonly line: number;
  /** 0-based line range [outputStart, outputEnd) of the file that holds the output (rewrite replaces it). */
  readonly outputStart: number;
  readonly outputEnd: number;
}

const SEP = "----";

export class ParseError extends Error {
  override readonly name = "ParseError";
  constructor(file: string, line: number, message: string) {
    super(`${file}:${line}: ${message}`);
  }
}

/** Splits a command line into its command and arguments. */
export function parseCmdLine(text: string): CmdLine {
  const tokens = text.trim().split(/\s+/);
  const cmd = tokens.shift() ?? "";
  const args = tokens.map((tok): CmdArg => {
    const eq = tok.indexOf("=");
    if (eq < 0) return { key: tok, vals: [] };
    const key = tok.slice(0, eq);
    const raw = tok.slice(eq + 1);
    if (raw.startsWith("(") && raw.endsWith(")")) {
      const inner = raw.slice(1, -1).trim();
      return { key, vals: inner === "" ? [] : inner.split(",").map((v) => v.trim()) };
    }
    return { key, vals: [raw] };
  });
  return { cmd, args, text: text.trim() };
}

/** Parses a whole file into blocks; throws ParseError naming the line on malformed input. */
export function parseFile(file: string, content: string): Block[] {
  const lines = content.split("\n");
  const blocks: Block[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    if (line.trim() === "" || line.startsWith("#")) {
      i++;
      continue;
    }
    const first = i;
    const commands: CmdLine[] = [];
    while (i < lines.length && lines[i] !== SEP) {
      const l = lines[i]!;
      if (l.trim() === "")
        throw new ParseError(file, i + 1, `expected ${SEP} after the command(s) of line ${first + 1}`);
      if (!l.startsWith("#")) commands.push(parseCmdLine(l));
      i++;
    }
    if (i >= lines.length) throw new ParseError(file, first + 1, `missing ${SEP} after command`);
    i++; // the separator
    if (lines[i] === SEP) {
      // Double-separator form: output runs to the next `----` followed by `----`.
      const outputStart = i;
      i++;
      const body: string[] = [];
      while (i < lines.length && !(lines[i] === SEP && lines[i + 1] === SEP)) body.push(lines[i++]!);
      if (i >= lines.length) throw new ParseError(file, first + 1, `unterminated ${SEP}/${SEP} output`);
      i += 2;
      blocks.push({ commands, expected: body.join("\n"), line: first + 1, outputStart, outputEnd: i });
      continue;
    }
    const outputStart = i;
    const body: string[] = [];
    while (i < lines.length && lines[i]!.trim() !== "") body.push(lines[i++]!);
    blocks.push({ commands, expected: body.join("\n"), line: first + 1, outputStart, outputEnd: i });
  }
  return blocks;
}

/** The output lines as they must appear in the file, in the form the output needs. */
function outputLines(output: string): string[] {
  const lines = output === "" ? [] : output.split("\n");
  if (lines.some((l) => l.trim() === "")) return [SEP, ...lines, SEP, SEP];
  return lines;
}

/** The file with every block's output replaced by `actual[k]` (same order as the blocks). */
export function rewriteFile(content: string, blocks: readonly Block[], actual: readonly string[]): string {
  const lines = content.split("\n");
  const out: string[] = [];
  let cursor = 0;
  blocks.forEach((b, k) => {
    out.push(...lines.slice(cursor, b.outputStart));
    out.push(...outputLines(actual[k] ?? b.expected));
    cursor = b.outputEnd;
  });
  out.push(...lines.slice(cursor));
  return out.join("\n");
}
