/**
 * Output shapes: aligned tables for people, JSON for scripts (`-o json`). Pure functions of
 * the probed member views, so they are tested without processes.
 */
import { type ClusterRecord, clientAddress, httpURL, type MemberRecord } from "./cluster-dir.js";
import { leaderOf, type MemberView } from "./probe.js";

export type OutputFormat = "table" | "json";
export const OUTPUT_FORMATS: readonly OutputFormat[] = ["table", "json"];

/** Columns padded to their widest cell, two spaces apart, no trailing spaces. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)].join("\n");
}

export const STATUS_HEADER = [
  "NAME",
  "ID",
  "ROLE",
  "TERM",
  "COMMIT",
  "APPLIED",
  "LEADER",
  "PID",
  "CLIENT",
  "HTTP",
] as const;

/** One row per member; a member that does not answer shows its state and last known pid. */
export function statusRows(views: readonly MemberView[]): string[][] {
  return views.map((v) => {
    const m = v.record;
    const s = v.status;
    const pid = s?.pid ?? m.pid;
    return [
      m.name,
      s ? shortId(s.id) : "-",
      s ? s.role : v.state,
      s ? String(s.term) : "-",
      s ? String(s.commitIndex) : "-",
      s ? String(s.appliedIndex) : "-",
      s ? (s.leader?.name ?? "none") : "-",
      pid === null || pid === undefined ? "-" : v.state === "down" ? `${pid} (exited)` : String(pid),
      clientAddress(m),
      httpURL(m),
    ];
  });
}

/** The `status` table and a one-line summary under it. */
export function statusText(views: readonly MemberView[]): string {
  return `${formatTable(STATUS_HEADER, statusRows(views))}\n${summaryLine(views)}`;
}

/** "leader m2 (term 3); 3 of 3 members answer" / "no leader; …". */
export function summaryLine(views: readonly MemberView[]): string {
  const lead = leaderOf(views);
  const up = views.filter((v) => v.state === "up").length;
  const head = lead ? `leader ${lead.record.name} (term ${lead.status!.term})` : "no leader";
  const down = views.filter((v) => v.state !== "up").map((v) => `${v.record.name} ${v.state}`);
  return `${head}; ${up} of ${views.length} members answer${down.length ? ` (${down.join(", ")})` : ""}`;
}

/** One member in `status -o json`. */
export interface MemberJson {
  readonly name: string;
  readonly id: string | null;
  /** "up", "no answer" or "down". */
  readonly state: string;
  /** "leader", "follower", …; null when the member does not answer. */
  readonly role: string | null;
  readonly term: number | null;
  /** The leader's name as this member knows it. */
  readonly leader: string | null;
  readonly commitIndex: number | null;
  readonly appliedIndex: number | null;
  readonly lastIndex: number | null;
  /** `HOST:PORT` of the etcd API. */
  readonly client: string;
  /** `HOST:PORT` of the Raft peer transport. */
  readonly peer: string;
  /** `http://HOST:PORT` of /status, /healthz, /readyz. */
  readonly http: string;
  /** The live pid, or the last known one when down. */
  readonly pid: number | null;
  readonly fsync: string | null;
}

export interface StatusJson {
  readonly dir: string;
  readonly leader: string | null;
  readonly term: number | null;
  readonly fsync: string;
  readonly tickMs: number;
  readonly members: readonly MemberJson[];
}

export function statusJson(dir: string, rec: ClusterRecord, views: readonly MemberView[]): StatusJson {
  const lead = leaderOf(views);
  return {
    dir,
    leader: lead?.record.name ?? null,
    term: lead?.status?.term ?? null,
    fsync: rec.fsync,
    tickMs: rec.tickMs,
    members: views.map(memberJson),
  };
}

function memberJson(v: MemberView): MemberJson {
  const m: MemberRecord = v.record;
  const s = v.status;
  return {
    name: m.name,
    id: s?.id ?? null,
    state: v.state,
    role: s?.role ?? null,
    term: s?.term ?? null,
    leader: s ? (s.leader?.name ?? null) : null,
    commitIndex: s?.commitIndex ?? null,
    appliedIndex: s?.appliedIndex ?? null,
    lastIndex: s?.lastIndex ?? null,
    client: clientAddress(m),
    peer: `${m.host}:${m.peerPort}`,
    http: httpURL(m),
    pid: s?.pid ?? m.pid,
    fsync: s?.fsync ?? null,
  };
}

/** Ids are 64-bit numbers; 16 hex digits read better in a table than 20 decimal ones. */
export function shortId(id: string): string {
  if (!/^\d+$/.test(id)) return id || "-";
  return BigInt(id).toString(16);
}

/** Milliseconds as "850 ms" or "1.3 s". */
export function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}
