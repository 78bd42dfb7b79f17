/**
 * Structured logs: one JSON object per line on stdout, `{ts, level, member, msg, ...fields}`.
 * `msg` is a short stable phrase tools can match ("ready", "leader elected", ...); details go
 * in fields. The Raft runtime and the storage log free text; `runtimeLogger` classifies the
 * lines that matter (snapshots, torn WAL tails) under a stable `msg` and keeps the text.
 */
import type { RuntimeLogger } from "../raft/index.js";

export type LogLevel = "debug" | "info" | "warn" | "error";

export interface MasterLogger {
  log(level: LogLevel, msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/** A logger writing JSON lines through `write` (default: stdout). */
export function jsonLogger(member: string, write: (line: string) => void = stdoutWrite): MasterLogger {
  const log = (level: LogLevel, msg: string, fields: Record<string, unknown> = {}): void => {
    write(`${JSON.stringify({ ts: new Date().toISOString(), level, member, msg, ...fields })}\n`);
  };
  return {
    log,
    info: (msg, fields) => log("info", msg, fields),
    warn: (msg, fields) => log("warn", msg, fields),
    error: (msg, fields) => log("error", msg, fields),
  };
}

function stdoutWrite(line: string): void {
  process.stdout.write(line);
}

/** Known free-text lines of the runtime and the storage, with the stable msg they get. */
const CLASSIFIED: ReadonlyArray<readonly [RegExp, string]> = [
  [/^wal: torn tail/, "torn WAL tail truncated"],
  [/^raft runtime: snapshot at/, "snapshot"],
  [/^storage: recovered/, "storage recovered"],
  [/^snapshot: /, "snapshot file"],
  [/^raft runtime: fatal/, "raft runtime fatal"],
];

/** The runtime's (and its storage's) logger, as structured lines. */
export function runtimeLogger(logger: MasterLogger): RuntimeLogger {
  const line = (level: LogLevel, text: string): void => {
    const hit = CLASSIFIED.find(([re]) => re.test(text));
    logger.log(level, hit ? hit[1] : "raft", { text });
  };
  return { info: (t) => line("info", t), warn: (t) => line("warn", t) };
}
