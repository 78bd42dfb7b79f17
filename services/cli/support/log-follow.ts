/**
 * What the foreground `flotilla up` shows while the cluster runs: the interesting lines of
 * the masters' JSON logs (elections, term changes, peers lost, errors), one line each, and
 * what the CLI sees itself (a master's process exiting, or started again). Logs are followed by reading the files, so masters restarted from another
 * terminal (`flotilla restart m2`) are followed too.
 */
import { closeSync, existsSync, openSync, readSync, statSync } from "node:fs";
import { DEFAULT_CLUSTER_TOKEN, memberIdOf } from "../../control-plane/master/index.js";
import { type ClusterRecord, hasCluster, type MemberRecord, memberPath, readCluster } from "./cluster-dir.js";
import { isMasterAlive } from "./process.js";

/** Bytes read per file per poll: a flood of log lines cannot stall the loop. */
const READ_BYTES_MAX = 256 * 1024;
/** Longest line shown for one log entry. */
const LINE_CHARS_MAX = 200;

/** One JSON log line of a master: ts, level, member, msg, and the rest as fields. */
export interface MasterLogEntry {
  readonly ts: string;
  readonly level: string;
  readonly member: string;
  readonly msg: string;
  readonly fields: Record<string, unknown>;
}

/** Parses one log line; undefined when it is not a master's JSON entry. */
export function parseLogLine(line: string): MasterLogEntry | undefined {
  if (!line.startsWith("{")) return undefined;
  try {
    const o = JSON.parse(line) as Record<string, unknown>;
    if (typeof o["msg"] !== "string") return undefined;
    // Fields come nested under "fields" or spread beside the standard keys; both are read.
    const { ts, level, member, msg, fields, ...rest } = o;
    const nested = typeof fields === "object" && fields !== null ? (fields as Record<string, unknown>) : {};
    return {
      ts: typeof ts === "string" ? ts : typeof ts === "number" ? new Date(ts).toISOString() : "",
      level: typeof level === "string" ? level : "info",
      member: typeof member === "string" ? member : "",
      msg: msg as string,
      fields: { ...nested, ...rest },
    };
  } catch {
    return undefined;
  }
}

/**
 * Turns master log lines into the one-line events the foreground shows. The master's `msg`
 * is a stable phrase (services/control-plane/master/logger.ts); the ones that tell the
 * story of elections get their own wording, any other warning or error is shown with its
 * fields, and the rest (Raft's free-text "raft" lines at info level, ...) is left out.
 * Every member logs each election, so "leader elected" is shown once per term.
 */
export class LogDescriber {
  private readonly termsShown = new Set<number>();
  /** Member names by Raft id (decimal), to name peers in the runtime's free text. */
  readonly namesById = new Map<string, string>();

  /** The line to show for `line` of member `name`'s log, if any. */
  describe(name: string, line: string): string | undefined {
    if (line.trim() === "") return undefined;
    const e = parseLogLine(line);
    if (e === undefined) return `${clock(new Date())}  ${name}  ${line.slice(0, LINE_CHARS_MAX)}`;
    const text = this.eventText(e);
    if (text === undefined) return undefined;
    const when = clock(e.ts ? new Date(e.ts) : new Date());
    const out = `${when}  ${e.member || name}  ${text}`;
    return out.length > LINE_CHARS_MAX ? `${out.slice(0, LINE_CHARS_MAX - 1)}…` : out;
  }

  private eventText(e: MasterLogEntry): string | undefined {
    const f = e.fields;
    switch (e.msg) {
      case "leader elected": {
        const term = Number(f["term"]);
        if (this.termsShown.has(term)) return undefined;
        this.termsShown.add(term);
        return `leader elected: ${String(f["leader"] || f["leaderId"])} in term ${term}`;
      }
      case "leader lost":
        return `lost its leader (term ${String(f["term"])})`;
      case "role changed":
        // Candidates show the campaign; leader and follower are told by "leader elected".
        return f["role"] === "candidate" ? `campaigns in term ${String(f["term"])}` : undefined;
      case "starting":
        return `starting (${f["dataDirState"] === "existing" ? "on its existing data" : "new data dir"})`;
      case "ready":
        return `ready (pid ${String(f["pid"])})`;
      case "signal received":
        return `got ${String(f["signal"])}`;
      case "stopping":
      case "stopped":
        return e.msg;
      case "raft":
        // Free text from the runtime: only its warnings (peer streams breaking, ...).
        return e.level === "warn" || e.level === "error"
          ? `${e.level.toUpperCase()} ${shortRaftText(String(f["text"]), this.namesById)}`
          : undefined;
      default:
        return e.level === "warn" || e.level === "error" || e.level === "fatal"
          ? `${e.level.toUpperCase()} ${e.msg}${formatFields(f)}`
          : undefined;
    }
  }
}

/**
 * The runtime's free text made short: peer ids replaced by names, and a broken peer stream
 * ("raft transport: stream to 123 broke (14 UNAVAILABLE: No connection established. Last
 * error: Error: connect ECONNREFUSED 127.0.0.1:4000. …); reconnecting") told in a few words.
 */
export function shortRaftText(text: string, namesById: ReadonlyMap<string, string>): string {
  const named = text.replace(/\b\d{4,20}\b/g, (id) => namesById.get(id) ?? id);
  const broke = /^raft transport: stream to (\S+) broke \((.*)\); reconnecting$/.exec(named);
  if (!broke) return named;
  const why = broke[2]!;
  const reason = /ECONNREFUSED/.test(why) ? "connection refused" : why.replace(/^\d+ /, "").split(". ")[0];
  return `stream to ${broke[1]} broke (${reason})`;
}

/** ` key=value key=value` with strings bare, other values as JSON. */
export function formatFields(fields: Record<string, unknown>): string {
  const parts = Object.entries(fields).map(
    ([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`,
  );
  return parts.length ? `  ${parts.join(" ")}` : "";
}

/** HH:MM:SS.mmm in local time. */
export function clock(d: Date): string {
  if (Number.isNaN(d.getTime())) return "--:--:--.---";
  const p = (n: number, w = 2): string => String(n).padStart(w, "0");
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

/** Reads a growing file from an offset on, handing out complete lines. */
class FileTail {
  private offset: number;
  private partial = "";
  constructor(
    private readonly file: string,
    fromOffset: number,
  ) {
    this.offset = fromOffset;
  }

  /** Complete lines appended since the last call (at most READ_BYTES_MAX bytes' worth). */
  read(): string[] {
    if (!existsSync(this.file)) return [];
    const size = statSync(this.file).size;
    if (size < this.offset) this.offset = 0; // truncated or replaced
    const len = Math.min(size - this.offset, READ_BYTES_MAX);
    if (len <= 0) return [];
    const buf = Buffer.alloc(len);
    const fd = openSync(this.file, "r");
    try {
      readSync(fd, buf, 0, len, this.offset);
    } finally {
      closeSync(fd);
    }
    this.offset += len;
    const text = this.partial + buf.toString("utf8");
    const lines = text.split("\n");
    this.partial = lines.pop() ?? "";
    return lines;
  }
}

export interface FollowOptions {
  readonly dir: string;
  readonly print: (line: string) => void;
  /** Where each member's log is followed from (bytes); the end of the file when absent. */
  readonly fromOffsets?: ReadonlyMap<string, number>;
  /** @default 200 */
  readonly pollMs?: number;
}

/** Follows the cluster until `stop()`. */
export class ClusterFollower {
  private readonly tails = new Map<string, FileTail>();
  private readonly alive = new Map<string, boolean>();
  private readonly pids = new Map<string, number | null>();
  private readonly describer = new LogDescriber();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private rec: ClusterRecord,
    private readonly opts: FollowOptions,
  ) {
    for (const m of rec.members) {
      const file = memberPath(opts.dir, m.logFile);
      const from = opts.fromOffsets?.get(m.name) ?? (existsSync(file) ? statSync(file).size : 0);
      this.tails.set(m.name, new FileTail(file, from));
      this.alive.set(m.name, isMasterAlive(opts.dir, m));
      this.pids.set(m.name, m.pid);
      // Ids follow from the peer address (as the master derives them), so no need to ask.
      this.describer.namesById.set(
        String(memberIdOf(DEFAULT_CLUSTER_TOKEN, `${m.host}:${m.peerPort}`)),
        m.name,
      );
    }
  }

  start(): void {
    this.timer = setInterval(() => this.poll(), this.opts.pollMs ?? 200);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.drainLogs();
  }

  private poll(): void {
    // Another command (restart, kill) may have changed the record since.
    if (hasCluster(this.opts.dir)) {
      try {
        this.rec = readCluster(this.opts.dir);
      } catch {
        // being rewritten or damaged: keep the last good one
      }
    }
    this.drainLogs();
    for (const m of this.rec.members) this.checkProcess(m);
  }

  /** New lines of every log, in time order across members (each file is in order already). */
  private drainLogs(): void {
    const batch: { name: string; line: string; at: number; seq: number }[] = [];
    for (const [name, tail] of this.tails) {
      for (const line of tail.read()) {
        const ts = parseLogLine(line)?.ts;
        const at = ts ? Date.parse(ts) : Number.NaN;
        batch.push({ name, line, at: Number.isNaN(at) ? Date.now() : at, seq: batch.length });
      }
    }
    batch.sort((a, b) => a.at - b.at || a.seq - b.seq);
    for (const { name, line } of batch) {
      const text = this.describer.describe(name, line);
      if (text !== undefined) this.opts.print(text);
    }
  }

  private checkProcess(m: MemberRecord): void {
    const now = isMasterAlive(this.opts.dir, m);
    const before = this.alive.get(m.name);
    const pidBefore = this.pids.get(m.name);
    this.alive.set(m.name, now);
    this.pids.set(m.name, m.pid);
    if (before && !now) this.opts.print(`${clock(new Date())}  ${m.name}  DOWN: process ${m.pid} exited`);
    else if (now && (!before || pidBefore !== m.pid))
      this.opts.print(`${clock(new Date())}  ${m.name}  process ${m.pid} started`);
  }
}
