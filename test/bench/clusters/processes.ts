/**
 * The server processes a benchmark starts, and the guarantee that it kills them: on normal
 * exit, on an error, on SIGINT/SIGTERM. Also free loopback ports and temp folders.
 *
 * A server is spawned as the process that serves (never through a wrapper such as the tsx
 * CLI or npx, which would fork the real server as a grandchild), so a SIGKILL of its pid is
 * a real crash of the server.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, mkdtempSync, readFileSync, rmSync, type WriteStream } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePorts } from "../../../services/cli/support/ports.js";

/** Everything started by one benchmark run; `killAll` is safe to call any number of times. */
export class ProcessGroup {
  private readonly children = new Set<ChildProcess>();
  private readonly dirs = new Set<string>();
  private readonly cleanups: Array<() => void> = [];
  private cleaned = false;

  /** Kills every child and removes every temp folder when this process ends, however it ends. */
  installExitHandlers(): void {
    process.on("exit", () => this.killAll());
    for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
      process.on(signal, () => {
        console.error(`\n${signal}: killing ${this.children.size} server process(es) and exiting`);
        this.killAll();
        process.exit(130);
      });
    }
  }

  tempDir(prefix: string): string {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    this.dirs.add(dir);
    return dir;
  }

  /** Spawns `cmd args` with stdout and stderr appended to `logFile`. */
  spawn(cmd: string, args: readonly string[], logFile: string, cwd?: string): ChildProcess {
    const log: WriteStream = createWriteStream(logFile, { flags: "a" });
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"], cwd, env: process.env });
    this.children.add(child);
    child.stdout?.pipe(log, { end: false });
    child.stderr?.pipe(log, { end: false });
    child.on("exit", () => {
      this.children.delete(child);
    });
    return child;
  }

  /** Runs `fn` (synchronous: it may run in the exit handler) before the temp folders go. */
  onCleanup(fn: () => void): void {
    this.cleanups.push(fn);
  }

  /** Registers a child started elsewhere (the load generator processes) for cleanup. */
  adopt(child: ChildProcess): void {
    this.children.add(child);
    child.on("exit", () => this.children.delete(child));
  }

  killAll(): void {
    for (const c of this.children) {
      if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
    }
    this.children.clear();
    if (this.cleaned) return;
    this.cleaned = true;
    for (const fn of this.cleanups) fn();
    for (const d of this.dirs) {
      if (process.env["BENCH_KEEP_DIRS"]) console.error(`kept ${d}`);
      else rmSync(d, { recursive: true, force: true });
    }
  }
}

/** `count` distinct ports that were free on 127.0.0.1 a moment ago (bound together, released). */
export function freeLoopbackPorts(count: number): Promise<number[]> {
  return freePorts(count, "127.0.0.1");
}

/** Resolves when `child` writes a line matching `pattern` to its log; rejects on exit or timeout. */
export function waitForLog(
  child: ChildProcess,
  pattern: RegExp,
  timeoutMs: number,
  what: string,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let buffered = "";
    const onData = (d: Buffer): void => {
      buffered = (buffered + d.toString()).slice(-64_000);
      if (pattern.test(buffered)) done();
    };
    const onExit = (code: number | null, signal: string | null): void =>
      done(new Error(`${what} exited (code ${code}, signal ${signal}) before logging ${pattern}`));
    const timer = setTimeout(
      () => done(new Error(`${what} did not log ${pattern} within ${timeoutMs} ms`)),
      timeoutMs,
    );
    function done(err?: Error): void {
      clearTimeout(timer);
      child.stdout?.off("data", onData);
      child.stderr?.off("data", onData);
      child.off("exit", onExit);
      if (err) reject(err);
      else resolve();
    }
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.on("exit", onExit);
  });
}

/** User + system CPU seconds a process has used so far (Linux /proc), or NaN if it is gone. */
export function processCpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticksPerSecond = 100;
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
  } catch {
    return Number.NaN;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** The last `bytes` of a log file, for error messages. */
export function logTail(file: string, bytes = 2000): string {
  try {
    const text = readFileSync(file, "utf8");
    return text.slice(-bytes);
  } catch {
    return "(no log)";
  }
}

/** CPU seconds the whole machine has been busy (all cores, all processes; Linux /proc/stat). */
export function machineBusySeconds(): number {
  try {
    const line = readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "";
    // cpu user nice system idle iowait irq softirq steal ...: busy = all but idle and iowait.
    const v = line.trim().split(/\s+/).slice(1).map(Number);
    const total = v.reduce((a, b) => a + b, 0);
    return (total - (v[3] ?? 0) - (v[4] ?? 0)) / 100;
  } catch {
    return Number.NaN;
  }
}
