/**
 * Runs `flotilla` from source (`node --import tsx services/cli/main.ts …`, no build needed) and
 * etcdctl as child processes, each bounded by a timeout, for the CLI end-to-end tests.
 */
import { join } from "node:path";
import { ETCDCTL, ROOT, type RunResult, run } from "./child-process.js";

export { ETCDCTL, HAVE_ETCDCTL, ROOT, type RunResult, run } from "./child-process.js";
export const CLI_MAIN = join(ROOT, "services/cli/main.ts");

/** `flotilla ARGS` from source. */
export function flotilla(args: readonly string[], timeoutMs = 60_000): Promise<RunResult> {
  return run(process.execPath, ["--import", "tsx", CLI_MAIN, ...args], { timeoutMs });
}

/** `flotilla ARGS`, which must exit 0; otherwise throws with its output. */
export async function flotillaOk(args: readonly string[], timeoutMs = 60_000): Promise<string> {
  const r = await flotilla(args, timeoutMs);
  if (r.code !== 0)
    throw new Error(
      `flotilla ${args.join(" ")} exited ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`,
    );
  return r.stdout;
}

/** etcdctl (API v3) with `--endpoints` as printed by `flotilla up`. */
export function etcdctl(
  endpointsFlag: string,
  args: readonly string[],
  timeoutMs = 20_000,
): Promise<RunResult> {
  return run(ETCDCTL, [endpointsFlag, "--command-timeout=5s", ...args], {
    timeoutMs,
    env: { ETCDCTL_API: "3" },
  });
}

/** Polls `probe` every `everyMs` until it returns a value (not undefined), or throws after `timeoutMs`. */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
  everyMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() >= deadline) throw new Error(`${what}: not within ${timeoutMs} ms`, { cause: last });
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
