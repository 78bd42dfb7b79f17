/**
 * Another revision of Flotilla, compiled beside this checkout so that a benchmark can run it
 * next to the current code: `git worktree add --detach` into a temp folder, this checkout's
 * node_modules linked in (the dependencies must be the same: a revision with other
 * package versions would be measured with the wrong ones), then the TypeScript compiler.
 * The worktree is removed again when the benchmark ends.
 */
import { execFileSync } from "node:child_process";
import { existsSync, symlinkSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { currentBuild, type FlotillaBuild } from "./flotilla-cluster.js";
import type { ProcessGroup } from "./processes.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

function git(args: readonly string[], cwd = ROOT): string {
  return execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
}

/** "dist/ of the working tree" for ".", else the commit `rev` names, built in a worktree. */
export function buildRevision(rev: string, nodeArgs: readonly string[], group: ProcessGroup): FlotillaBuild {
  if (rev === ".") return currentBuild(nodeArgs);
  let commit: string;
  try {
    commit = git(["rev-parse", "--verify", `${rev}^{commit}`]);
  } catch {
    throw new Error(`--base ${rev}: not a commit in this repository`);
  }
  const dir = join(group.tempDir("flotilla-bench-rev-"), "tree");
  git(["worktree", "add", "--detach", dir, commit]);
  group.onCleanup(() => {
    try {
      git(["worktree", "remove", "--force", dir]);
    } catch {
      // the temp folder is removed anyway; `git worktree prune` forgets it later
    }
  });
  if (!existsSync(join(dir, "node_modules")))
    symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"));
  console.error(`building ${rev} (${commit.slice(0, 12)}) in ${dir}`);
  execFileSync(
    process.execPath,
    [join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.json"],
    {
      cwd: dir,
      stdio: "inherit",
    },
  );
  return {
    cliMain: join(dir, "dist", "services", "cli", "main.js"),
    nodeArgs,
    label: `${rev} = ${commit.slice(0, 12)}`,
  };
}
