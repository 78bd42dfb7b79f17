/**
 * `flotilla kill MEMBER`: SIGKILL a master (a crash, not a stop: nothing is flushed or said
 * goodbye). `kill leader` finds the member leading now.
 */
import { DEFAULT_CLUSTER_DIR, dirHint, readCluster } from "../support/cluster-dir.js";
import { CliError, parseCommand, UsageError } from "../support/errors.js";
import { probeMember, resolveMember } from "../support/probe.js";
import { isMasterAlive, signalPid, waitUntilDead } from "../support/process.js";

const USAGE = "flotilla kill MEMBER|leader [--dir .flotilla]";
const KILL_WAIT_MS = 5000;

export async function runKill(argv: readonly string[]): Promise<number> {
  const args = parseCommand(argv, { values: { dir: DEFAULT_CLUSTER_DIR } }, USAGE);
  if (args.positionals.length !== 1)
    throw new UsageError("name one member to kill (m1, m2, … or leader)", USAGE);
  const dir = args.values["dir"]!;
  const rec = readCluster(dir);
  const m = await resolveMember(dir, rec, args.positionals[0]!);
  if (!isMasterAlive(dir, m))
    throw new CliError(
      `${m.name} is not running (last pid ${m.pid ?? "none"}); \`flotilla restart ${m.name}${dirHint(dir)}\` starts it`,
    );
  const before = await probeMember(dir, m, 500);
  signalPid(m.pid!, "SIGKILL");
  if (!(await waitUntilDead(() => isMasterAlive(dir, m), KILL_WAIT_MS)))
    throw new CliError(`${m.name} (pid ${m.pid}) is still alive ${KILL_WAIT_MS} ms after SIGKILL`);
  const was = before.status ? `, ${before.status.role} in term ${before.status.term}` : "";
  console.log(`Killed ${m.name} (pid ${m.pid}${was}).`);
  if (before.status?.role === "leader")
    console.log(`The others elect a new leader: \`flotilla status${dirHint(dir)} --watch\` shows it.`);
  console.log(`\`flotilla restart ${m.name}${dirHint(dir)}\` starts it again on its data.`);
  return 0;
}
