/**
 * `flotilla status`: every member's role, term, indexes and leader as it answers GET /status,
 * or "down" with its last known pid. `-o json` for scripts; `--watch` refreshes every second.
 */
import { DEFAULT_CLUSTER_DIR, readCluster } from "../support/cluster-dir.js";
import { parseCommand, UsageError, usageCheck } from "../support/errors.js";
import { OUTPUT_FORMATS, statusJson, statusText } from "../support/output.js";
import { probeCluster } from "../support/probe.js";
import { sleep } from "../support/process.js";
import { choiceFlag, intFlag } from "./flags.js";

const USAGE = "flotilla status [--dir .flotilla] [-o table|json] [--watch [--count N]]";
const WATCH_EVERY_MS = 1000;

export async function runStatus(argv: readonly string[]): Promise<number> {
  const args = parseCommand(
    argv,
    {
      values: { dir: DEFAULT_CLUSTER_DIR, output: "table", count: "0" },
      switches: ["watch"],
      aliases: { o: "output" },
    },
    USAGE,
  );
  if (args.positionals.length) throw new UsageError(`unexpected argument "${args.positionals[0]}"`, USAGE);
  const { output, count } = usageCheck(USAGE, () => ({
    output: choiceFlag(args.values, "output", OUTPUT_FORMATS),
    count: intFlag(args.values, "count", 0, 1_000_000),
  }));
  if (args.given.has("count") && !args.switches.has("watch"))
    throw new UsageError("--count goes with --watch", USAGE);
  const dir = args.values["dir"]!;
  const watch = args.switches.has("watch");
  const tty = process.stdout.isTTY === true && output === "table";

  let stop = false;
  if (watch) process.once("SIGINT", () => (stop = true));
  for (let round = 1; ; round++) {
    const began = Date.now();
    const rec = readCluster(dir); // re-read: restarts change pids
    const views = await probeCluster(dir, rec);
    if (output === "json") {
      // One document per refresh; with --watch that makes a stream of JSON lines.
      console.log(JSON.stringify(statusJson(dir, rec, views), null, watch ? undefined : 2));
    } else {
      if (tty && watch) process.stdout.write("\x1b[2J\x1b[H");
      if (watch) console.log(`${new Date().toLocaleTimeString()}  ${dir}  (Ctrl-C to stop)`);
      console.log(statusText(views));
      if (watch && !tty) console.log("");
    }
    if (!watch || stop || (count > 0 && round >= count)) return 0;
    await sleep(Math.max(0, WATCH_EVERY_MS - (Date.now() - began)));
    if (stop) return 0;
  }
}
