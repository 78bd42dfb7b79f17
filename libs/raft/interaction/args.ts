import { type NodeId, nodeId } from "../index.js";
import type { CmdArg, CmdLine } from "./datadriven.js";

/** A mistake in the script itself (unknown command, bad argument): fails the test outright. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/**
 * Typed access to a command line's arguments. Every named argument must be read by the
 * handler, so a misspelt option fails loudly instead of being silently ignored.
 */
export class Args {
  private readonly used = new Set<string>();

  constructor(readonly line: CmdLine) {}

  /** The bare words, in order. */
  positional(): string[] {
    return this.line.args.filter((a) => a.vals.length === 0).map((a) => a.key);
  }

  private find(key: string): CmdArg | undefined {
    this.used.add(key);
    return (
      this.line.args.find((a) => a.vals.length > 0 && a.key === key) ??
      this.line.args.find((a) => a.key === key)
    );
  }

  has(key: string): boolean {
    return this.find(key) !== undefined;
  }

  str(key: string): string | undefined {
    const a = this.find(key);
    if (a === undefined) return undefined;
    if (a.vals.length !== 1) throw new UsageError(`${this.line.text}: ${key} needs exactly one value`);
    return a.vals[0];
  }

  int(key: string, dflt: number): number;
  int(key: string, dflt?: number): number | undefined;
  int(key: string, dflt?: number): number | undefined {
    const v = this.str(key);
    return v === undefined ? dflt : toInt(this.line, v);
  }

  bool(key: string, dflt: boolean): boolean {
    const v = this.str(key);
    if (v === undefined) return dflt;
    if (v !== "true" && v !== "false")
      throw new UsageError(`${this.line.text}: ${key} must be true or false`);
    return v === "true";
  }

  /** `key=(1,2,3)` as node ids; [] when absent. */
  ids(key: string): NodeId[] {
    const a = this.find(key);
    return a === undefined ? [] : a.vals.map((v) => nodeId(toInt(this.line, v)));
  }

  /** The positional arguments as node ids. */
  positionalIds(): NodeId[] {
    return this.positional().map((v) => nodeId(toInt(this.line, v)));
  }

  /** Exactly `n` positional arguments (after which the handler reads them). */
  expectPositional(n: number, usage: string): string[] {
    const p = this.positional();
    if (p.length !== n) throw new UsageError(`${this.line.text}: usage: ${usage}`);
    return p;
  }

  /** Throws on named arguments the handler did not read. */
  checkAllUsed(): void {
    for (const a of this.line.args) {
      if (a.vals.length > 0 && !this.used.has(a.key))
        throw new UsageError(`${this.line.text}: unknown argument ${a.key}`);
    }
  }
}

function toInt(line: CmdLine, v: string): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new UsageError(`${line.text}: ${v} is not an integer`);
  return n;
}
