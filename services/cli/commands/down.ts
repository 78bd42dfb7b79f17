/**
 * `flotilla down`: stops every master of the folder (SIGTERM, a bounded wait, SIGKILL for
 * stragglers). The data stays for the next `flotilla up` unless --purge.
 */
import { rmdirSync, rmSync } from "node:fs";
import {
  clusterFileOf,
  DEFAULT_CLUSTER_DIR,
  dirHint,
  memberPath,
  readCluster,
} from "../support/cluster-dir.js";
import { CliError, parseCommand, UsageError, usageCheck } from "../support/errors.js";
import { stopMembers } from "../support/process.js";
import { intFlag } from "./flags.js";

const USAGE = "flotilla down [--dir .flotilla] [--timeout 10] [--purge]";

export async function runDown(argv: readonly string[]): Promise<number> {
  const args = parseCommand(
    argv,
    { values: { dir: DEFAULT_CLUSTER_DIR, timeout: "10" }, switches: ["purge"] },
    USAGE,
  );
  if (args.positionals.length) throw new UsageError(`unexpected argument "${args.positionals[0]}"`, USAGE);
  const graceMs = usageCheck(USAGE, () => intFlag(args.values, "timeout", 0, 3600) * 1000);
  const dir = args.values["dir"]!;
  const rec = readCluster(dir);
  const outcomes = await stopMembers(dir, rec.members, graceMs);
  for (const m of rec.members)
    console.log(`${m.name}: ${outcomes.get(m.name)}${m.pid ? ` (pid ${m.pid})` : ""}`);
  const stuck = [...outcomes].filter(([, how]) => how === "survived SIGKILL").map(([n]) => n);
  if (stuck.length)
    throw new CliError(`${stuck.join(", ")} did not exit after SIGKILL; the data in ${dir} is left as it is`);
  if (!args.switches.has("purge")) {
    console.log(
      `The data stays in ${dir}: \`flotilla up${dirHint(dir)}\` resumes it, \`--purge\` removes it.`,
    );
    return 0;
  }
  // Only what `up` created: the data and log of each member, and cluster.json.
  for (const m of rec.members) {
    rmSync(memberPath(dir, m.dataDir), { recursive: true, force: true });
    rmSync(memberPath(dir, m.logFile), { force: true });
  }
  rmSync(clusterFileOf(dir), { force: true });
  // The folders too, when nothing else was put in them.
  for (const d of [memberPath(dir, "data"), memberPath(dir, "logs"), dir]) removeIfEmpty(d);
  console.log(`Removed the data, logs and cluster.json of ${dir}.`);
  return 0;
}

function removeIfEmpty(dir: string): void {
  try {
    rmdirSync(dir);
  } catch {
    // not empty, or gone already
  }
}
