/**
 * `flotilla restart MEMBER`: starts a member again with its recorded flags, ports and data
 * dir (stopping it first if it runs), and waits until it answers /healthz.
 */
import {
  DEFAULT_CLUSTER_DIR,
  dirHint,
  readCluster,
  withMember,
  writeCluster,
} from "../support/cluster-dir.js";
import { CliError, parseCommand, UsageError, usageCheck } from "../support/errors.js";
import { formatMs } from "../support/output.js";
import { portFree } from "../support/ports.js";
import { probeMember, resolveMember } from "../support/probe.js";
import { isMasterAlive, sleep, spawnMaster, stopMembers } from "../support/process.js";
import { waitForHealthy } from "../support/wait.js";
import { intFlag } from "./flags.js";

const USAGE = "flotilla restart MEMBER|leader [--dir .flotilla] [--timeout 30]";
const STOP_GRACE_MS = 10_000;
/** After /healthz answers, how long to wait for the member to know its leader (for the message). */
const LEADER_WAIT_MS = 5000;

export async function runRestart(argv: readonly string[]): Promise<number> {
  const args = parseCommand(argv, { values: { dir: DEFAULT_CLUSTER_DIR, timeout: "30" } }, USAGE);
  if (args.positionals.length !== 1) throw new UsageError("name one member to restart (m1, m2, …)", USAGE);
  const timeoutMs = usageCheck(USAGE, () => intFlag(args.values, "timeout", 1, 3600) * 1000);
  const dir = args.values["dir"]!;
  const rec = readCluster(dir);
  const m = await resolveMember(dir, rec, args.positionals[0]!);

  if (isMasterAlive(dir, m)) {
    const how = (await stopMembers(dir, [m], STOP_GRACE_MS)).get(m.name);
    console.log(`Stopped ${m.name} (pid ${m.pid}): ${how}.`);
  }
  for (const port of [m.clientPort, m.peerPort, m.httpPort])
    if (!(await portFree(port, m.host)))
      throw new CliError(`port ${port} of ${m.name} is taken by another process; stop it and retry`);

  const t0 = Date.now();
  const started = spawnMaster(dir, rec, m);
  const now = { ...m, pid: started.pid, startedAt: new Date().toISOString() };
  writeCluster(dir, withMember(readCluster(dir), now));
  console.log(`Started ${m.name} (pid ${started.pid}) on its data; waiting for /healthz…`);
  await waitForHealthy(dir, now, started, timeoutMs);

  let view = await probeMember(dir, now, 500);
  const deadline = Date.now() + LEADER_WAIT_MS;
  while (view.status?.leader === undefined && Date.now() < deadline) {
    await sleep(100);
    view = await probeMember(dir, now, 500);
  }
  const s = view.status;
  const where = s
    ? `${s.role} in term ${s.term}, leader ${s.leader?.name ?? "not known yet"}, applied ${s.appliedIndex}`
    : "not answering /status yet";
  console.log(`${m.name} answers after ${formatMs(Date.now() - t0)}: ${where}.`);
  console.log(`\`flotilla status${dirHint(dir)}\` shows the whole cluster.`);
  return 0;
}
