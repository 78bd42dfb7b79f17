/**
 * Child processes for the end-to-end tests: one bounded runner, and where etcdctl is.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The project root (where `--import tsx` resolves). */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

export const ETCDCTL = process.env["ETCDCTL"] ?? "/usr/bin/etcdctl";
export const HAVE_ETCDCTL = existsSync(ETCDCTL);
// CI sets FLOTILLA_REQUIRE_ETCDCTL: there a missing etcdctl is a broken install, not a reason to skip.
if (!HAVE_ETCDCTL && process.env["FLOTILLA_REQUIRE_ETCDCTL"])
  throw new Error(`etcdctl is required (FLOTILLA_REQUIRE_ETCDCTL is set) but there is none at ${ETCDCTL}`);

export interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command to completion, feeding it `stdin` (or nothing); SIGKILLed after `timeoutMs`. */
export function run(
  file: string,
  args: readonly string[],
  opts: { timeoutMs?: number; env?: NodeJS.ProcessEnv; stdin?: string } = {},
): Promise<RunResult> {
  const child = spawn(file, args, {
    cwd: ROOT,
    env: { ...process.env, ...opts.env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  child.stdin.end(opts.stdin ?? "");
  const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 30_000);
  return new Promise((resolvePromise) => {
    child.once("close", (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr });
    });
  });
}
