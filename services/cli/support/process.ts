/**
 * Master processes: started detached (their own process group, so a Ctrl-C in the terminal
 * reaches only `flotilla up`, which then stops them in order), with stdout and stderr
 * appended to the member's log file, and tracked by pid in cluster.json.
 */
import { spawn } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import {
  type ClusterRecord,
  clientAddress,
  initialClusterFlag,
  type MemberRecord,
  memberPath,
} from "./cluster-dir.js";

/** How often the waits below look again. */
export const POLL_MS = 50;

/** The flags `flotilla master` is started with (its contract; see services/control-plane/master). */
export function masterArgs(dir: string, rec: ClusterRecord, m: MemberRecord): string[] {
  return [
    "master",
    "--name",
    m.name,
    "--data-dir",
    memberPath(dir, m.dataDir),
    "--listen-peer",
    `${m.host}:${m.peerPort}`,
    "--listen-client",
    clientAddress(m),
    "--listen-http",
    `${m.host}:${m.httpPort}`,
    "--initial-cluster",
    initialClusterFlag(rec),
    "--fsync",
    rec.fsync,
    "--tick-ms",
    String(rec.tickMs),
  ];
}

/**
 * How to run this same `flotilla`: the node binary, its flags (e.g. `--import tsx` when
 * running from source) and the entry script, so that masters run the same code as the CLI.
 */
export function selfCommand(): { readonly file: string; readonly args: readonly string[] } {
  const entry = process.argv[1];
  if (entry === undefined) throw new Error("cannot tell which script is running (process.argv[1] is unset)");
  return { file: process.execPath, args: [...process.execArgv, resolve(entry)] };
}

/** A started master: its pid and where this run's output begins in its log. */
export interface Started {
  readonly pid: number;
  readonly logFile: string;
  readonly logOffset: number;
}

/** Starts member `m` detached, appending its output to its log file. */
export function spawnMaster(dir: string, rec: ClusterRecord, m: MemberRecord): Started {
  const logFile = memberPath(dir, m.logFile);
  mkdirSync(dirname(logFile), { recursive: true });
  mkdirSync(memberPath(dir, m.dataDir), { recursive: true });
  const logOffset = existsSync(logFile) ? statSync(logFile).size : 0;
  const fd = openSync(logFile, "a");
  try {
    const self = selfCommand();
    const child = spawn(self.file, [...self.args, ...masterArgs(dir, rec, m)], {
      detached: true,
      stdio: ["ignore", fd, fd],
      env: process.env,
    });
    if (child.pid === undefined) throw new Error(`could not start ${m.name}: spawn gave no pid`);
    child.on("error", () => {}); // reported through its log and liveness, not here
    child.unref();
    return { pid: child.pid, logFile, logOffset };
  } finally {
    closeSync(fd);
  }
}

/**
 * Whether `pid` is a live master of member `m` of this folder. Guards against pid reuse on
 * Linux by reading its command line; a zombie (exited, not yet reaped) counts as dead.
 */
export function isMasterAlive(dir: string, m: MemberRecord, pid: number | null = m.pid): boolean {
  if (pid === null) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  if (!existsSync("/proc/self/cmdline")) return true;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    if (state === "Z" || state === "X") return false;
    const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    const at = argv.indexOf("--data-dir");
    return argv.includes("master") && at >= 0 && argv[at + 1] === memberPath(dir, m.dataDir);
  } catch {
    return false; // gone between the checks
  }
}

/** Sends `signal` to the member's process group (it was started detached), or just the pid. */
export function signalPid(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

/** Resolves true once `alive()` is false, or false after `timeoutMs`. */
export async function waitUntilDead(alive: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (alive()) {
    if (Date.now() >= deadline) return false;
    await sleep(POLL_MS);
  }
  return true;
}

/** How one member was stopped. */
export type StopOutcome = "stopped" | "killed" | "not running" | "survived SIGKILL";

/**
 * SIGTERM to every live member, up to `graceMs` for them to exit, then SIGKILL to the rest
 * (and up to 2 s more for those to vanish).
 */
export async function stopMembers(
  dir: string,
  members: readonly MemberRecord[],
  graceMs: number,
): Promise<Map<string, StopOutcome>> {
  const out = new Map<string, StopOutcome>();
  const live = members.filter((m) => {
    const alive = isMasterAlive(dir, m);
    if (!alive) out.set(m.name, "not running");
    return alive;
  });
  for (const m of live) signalPid(m.pid!, "SIGTERM");
  await Promise.all(
    live.map(async (m) => {
      if (await waitUntilDead(() => isMasterAlive(dir, m), graceMs)) {
        out.set(m.name, "stopped");
        return;
      }
      signalPid(m.pid!, "SIGKILL");
      const gone = await waitUntilDead(() => isMasterAlive(dir, m), 2000);
      out.set(m.name, gone ? "killed" : "survived SIGKILL");
    }),
  );
  return out;
}

/** The last `lines` lines of `file` from byte `fromOffset` on (at most the last 64 KiB). */
export function tailFile(file: string, fromOffset = 0, lines = 15): string {
  if (!existsSync(file)) return "(no log file)";
  const size = statSync(file).size;
  const start = Math.max(fromOffset, size - 64 * 1024);
  const len = size - start;
  if (len <= 0) return "(log is empty)";
  const buf = Buffer.alloc(len);
  const fd = openSync(file, "r");
  try {
    readSync(fd, buf, 0, len, start);
  } finally {
    closeSync(fd);
  }
  return buf.toString("utf8").trimEnd().split("\n").slice(-lines).join("\n");
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
