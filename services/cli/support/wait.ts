/**
 * Bounded waits for masters started by this command: until the cluster has a leader, or
 * until one member answers /healthz. A member whose process exits while we wait, or a wait
 * that runs out, is an error that names the member and shows the end of its log.
 */
import { type ClusterRecord, httpURL, type MemberRecord, memberPath } from "./cluster-dir.js";
import { CliError } from "./errors.js";
import { getOk } from "./http-client.js";
import { formatMs } from "./output.js";
import { leaderOf, type MemberView, probeCluster } from "./probe.js";
import { isMasterAlive, type Started, sleep, tailFile } from "./process.js";

/** Between two probes of the cluster. */
const PROBE_EVERY_MS = 100;

/** The end of member `m`'s log since it was started, indented, for error messages. */
export function logTail(dir: string, m: MemberRecord, started?: Started): string {
  const file = memberPath(dir, m.logFile);
  const tail = tailFile(file, started?.logOffset ?? 0);
  return `last lines of ${file}:\n${tail
    .split("\n")
    .map((l) => `    ${l}`)
    .join("\n")}`;
}

/** Throws when a member we started has already exited. */
function checkStillRunning(dir: string, rec: ClusterRecord, started: ReadonlyMap<string, Started>): void {
  for (const m of rec.members) {
    const s = started.get(m.name);
    if (s === undefined || isMasterAlive(dir, m, s.pid)) continue;
    throw new CliError(`${m.name} (pid ${s.pid}) exited while starting\n${logTail(dir, m, s)}`);
  }
}

/**
 * Resolves with the members' views once one leads and every member answers /status.
 * Rejects when a member started by us exits, or after `timeoutMs`, naming the members that
 * did not come up and showing their logs.
 */
export async function waitForLeader(
  dir: string,
  rec: ClusterRecord,
  started: ReadonlyMap<string, Started>,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<MemberView[]> {
  const t0 = Date.now();
  let views: MemberView[] = [];
  for (;;) {
    if (signal?.aborted) throw new CliError("interrupted while waiting for a leader", { exitCode: 130 });
    checkStillRunning(dir, rec, started);
    views = await probeCluster(dir, rec, 500);
    if (leaderOf(views) !== undefined && views.every((v) => v.state === "up")) return views;
    if (Date.now() - t0 >= timeoutMs) break;
    await sleep(PROBE_EVERY_MS);
  }
  checkStillRunning(dir, rec, started);
  const states = views.map((v) =>
    v.status ? `${v.record.name} ${v.status.role} in term ${v.status.term}` : `${v.record.name} ${v.state}`,
  );
  const quiet = views.filter((v) => v.state !== "up" || v.status?.role !== "leader");
  const tails = quiet
    .filter((v) => v.state !== "up")
    .map((v) => `${v.record.name}: ${v.error ?? ""}\n${logTail(dir, v.record, started.get(v.record.name))}`);
  throw new CliError(
    `no leader after ${formatMs(timeoutMs)} (${states.join(", ")})` +
      (tails.length ? `\n${tails.join("\n")}` : "") +
      `\nlook at the logs in ${memberPath(dir, "logs")}; a longer --timeout may help on a slow machine`,
  );
}

/** Resolves once member `m` answers GET /healthz; rejects if its process exits or after `timeoutMs`. */
export async function waitForHealthy(
  dir: string,
  m: MemberRecord,
  started: Started,
  timeoutMs: number,
): Promise<void> {
  const t0 = Date.now();
  let last = "";
  for (;;) {
    if (!isMasterAlive(dir, m, started.pid))
      throw new CliError(`${m.name} (pid ${started.pid}) exited while starting\n${logTail(dir, m, started)}`);
    const res = await getOk(httpURL(m), "/healthz", 500);
    if (res.ok) return;
    last = res.error;
    if (Date.now() - t0 >= timeoutMs) break;
    await sleep(PROBE_EVERY_MS);
  }
  throw new CliError(
    `${m.name} (pid ${started.pid}) did not answer /healthz within ${formatMs(timeoutMs)} (${last})\n` +
      `${logTail(dir, m, started)}\nit is still running: \`flotilla kill ${m.name}\` stops it`,
  );
}
