/**
 * What every member of a cluster folder is doing right now: its process (alive or not, by
 * the recorded pid) and its GET /status, asked of all members at once with a timeout.
 */
import { type ClusterRecord, findMember, httpURL, type MemberRecord } from "./cluster-dir.js";
import { CliError } from "./errors.js";
import { getStatus, HTTP_TIMEOUT_MS, type MasterStatus } from "./http-client.js";
import { isMasterAlive } from "./process.js";

/** "up": answers /status. "no answer": its process lives but does not answer. "down": no process. */
export type MemberState = "up" | "no answer" | "down";

export interface MemberView {
  readonly record: MemberRecord;
  readonly state: MemberState;
  /** Its answer to /status when `state` is "up". */
  readonly status: MasterStatus | undefined;
  /** Why it did not answer, when it did not. */
  readonly error: string | undefined;
}

export async function probeCluster(
  dir: string,
  rec: ClusterRecord,
  timeoutMs = HTTP_TIMEOUT_MS,
): Promise<MemberView[]> {
  return Promise.all(rec.members.map((m) => probeMember(dir, m, timeoutMs)));
}

export async function probeMember(
  dir: string,
  m: MemberRecord,
  timeoutMs = HTTP_TIMEOUT_MS,
): Promise<MemberView> {
  const res = await getStatus(httpURL(m), timeoutMs);
  if (res.ok) return { record: m, state: "up", status: res.value, error: undefined };
  const alive = isMasterAlive(dir, m);
  return { record: m, state: alive ? "no answer" : "down", status: undefined, error: res.error };
}

/** The member that says it leads, with the highest term among those that do. */
export function leaderOf(views: readonly MemberView[]): MemberView | undefined {
  let best: MemberView | undefined;
  for (const v of views) {
    if (v.status?.role !== "leader") continue;
    if (best === undefined || v.status.term > best.status!.term) best = v;
  }
  return best;
}

/**
 * The member `arg` names: `m1`, `m2`, … or `leader` (the member leading now). Unknown names
 * and a cluster without a leader are errors that say what to do.
 */
export async function resolveMember(dir: string, rec: ClusterRecord, arg: string): Promise<MemberRecord> {
  if (arg !== "leader") return findMember(rec, arg, dir);
  const views = await probeCluster(dir, rec);
  const lead = leaderOf(views);
  if (lead) return lead.record;
  const states = views.map((v) => `${v.record.name} ${v.status?.role ?? v.state}`).join(", ");
  throw new CliError(
    `no member of ${dir} leads right now (${states}); wait for an election and retry, ` +
      `or name a member (${rec.members.map((m) => m.name).join(", ")})`,
  );
}
