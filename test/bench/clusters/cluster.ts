/**
 * A three-member cluster of real server processes on loopback, the same interface for etcd
 * and Flotilla so the benchmarks drive both with identical code. Subclasses only say how to
 * start a member and how it announces that it listens.
 */
import type { ChildProcess } from "node:child_process";
import { join } from "node:path";
import { arg } from "../bench-util.js";
import { kvClient, memberStatus, range } from "./grpc.js";
import { logTail, type ProcessGroup, processCpuSeconds, sleep, waitForLog } from "./processes.js";

export type SystemName = "etcd" | "flotilla";

/** The systems named in `--systems a,b`; an unknown name is an error that lists the known ones. */
export function parseSystems(list: string): SystemName[] {
  return list.split(",").map((s) => {
    if (s !== "flotilla" && s !== "etcd")
      throw new Error(`unknown system "${s}" in --systems (use flotilla,etcd)`);
    return s;
  });
}

export interface MemberSpec {
  readonly name: string;
  /** host:port of the etcd v3 gRPC API. */
  readonly clientAddr: string;
  readonly peerAddr: string;
  /** host:port of Flotilla's HTTP server; unused by etcd. */
  readonly httpAddr: string;
  readonly dataDir: string;
  readonly logFile: string;
}

/** The election settings both systems run with; printed by the benchmarks. */
export interface Timing {
  readonly heartbeatMs: number;
  /** The base election timeout; both systems randomize it to [base, 2 × base). */
  readonly electionTimeoutMs: number;
  readonly flags: string;
}

/** Same as Flotilla's defaults: tick 100 ms (heartbeat every tick), election 10 ticks. */
export const DEFAULT_TIMING = { heartbeatMs: 100, electionTimeoutMs: 1000 } as const;

/**
 * Applied entries between snapshots, for both systems (`--snapshot-entries`): by default
 * 100,000, the default of both (etcd 3.4's --snapshot-count, Flotilla's --snapshot-entries),
 * so a short run takes none. `--snapshot-entries 10000` shows what snapshots cost: Flotilla
 * encodes its whole store into each, etcd only its small v2 store (its keys are in bbolt).
 */
export const DEFAULT_SNAPSHOT_ENTRIES = Number(arg("snapshot-entries", "100000"));

const READY_TIMEOUT_MS = 30_000;

export abstract class BenchCluster {
  abstract readonly system: SystemName;
  abstract readonly timing: Timing;
  protected readonly procs = new Map<string, ChildProcess>();

  constructor(
    protected readonly group: ProcessGroup,
    readonly members: readonly MemberSpec[],
  ) {}

  get endpoints(): string[] {
    return this.members.map((m) => m.clientAddr);
  }

  /** The server binary's version, for the machine facts. */
  abstract version(): Promise<string>;
  protected abstract command(m: MemberSpec): { cmd: string; args: string[] };
  /** A line the member logs once it serves clients. */
  protected abstract readyPattern: RegExp;

  /** Starts every member and waits until the cluster has a leader and serves writes. */
  async start(): Promise<void> {
    await Promise.all(this.members.map((m) => this.startMember(m)));
    await this.waitHealthy(READY_TIMEOUT_MS);
  }

  private async startMember(m: MemberSpec): Promise<void> {
    const { cmd, args } = this.command(m);
    const child = this.group.spawn(cmd, args, m.logFile, this.cwd());
    this.procs.set(m.name, child);
    try {
      await waitForLog(child, this.readyPattern, READY_TIMEOUT_MS, `${this.system} ${m.name}`);
    } catch (err) {
      throw new Error(`${(err as Error).message}\n--- ${m.logFile} ---\n${logTail(m.logFile)}`);
    }
  }

  protected cwd(): string | undefined {
    return undefined;
  }

  isAlive(name: string): boolean {
    const c = this.procs.get(name);
    return c !== undefined && c.exitCode === null && c.signalCode === null;
  }

  pids(): number[] {
    return [...this.procs.values()].flatMap((c) => (c.pid === undefined ? [] : [c.pid]));
  }

  /** CPU seconds used so far by the live members together. */
  cpuSeconds(): number {
    return this.pids()
      .map(processCpuSeconds)
      .filter((s) => !Number.isNaN(s))
      .reduce((a, b) => a + b, 0);
  }

  /** SIGKILL: the member gets no chance to flush or say goodbye. */
  kill(name: string): void {
    const c = this.procs.get(name);
    if (c?.pid === undefined) throw new Error(`no process for ${name}`);
    process.kill(c.pid, "SIGKILL");
  }

  async waitExited(name: string, timeoutMs: number): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (this.isAlive(name) && Date.now() < end) await sleep(10);
  }

  /** Starts a killed member again on its old data dir and waits until the cluster is healthy. */
  async restart(name: string, timeoutMs: number): Promise<void> {
    const m = this.members.find((x) => x.name === name);
    if (!m) throw new Error(`no member ${name}`);
    await this.startMember(m);
    await this.waitHealthy(timeoutMs);
  }

  /**
   * The member leading now, by asking every live member with Maintenance.Status and taking
   * the one that names itself as leader at the highest term; undefined when none does.
   */
  async leader(): Promise<string | undefined> {
    let best: { name: string; term: bigint } | undefined;
    for (const m of this.members) {
      if (!this.isAlive(m.name)) continue;
      const s = await memberStatus(m.clientAddr, 1000);
      if (!s?.header || s.leader === "0" || s.leader !== s.header.member_id) continue;
      const term = BigInt(s.raftTerm || s.header.raft_term || "0");
      if (!best || term > best.term) best = { name: m.name, term };
    }
    return best?.name ?? (await this.leaderFallback());
  }

  /** Whether some live member answers Status naming itself leader (all asked at once). */
  async survivorLeads(deadlineMs: number): Promise<boolean> {
    const live = this.members.filter((m) => this.isAlive(m.name));
    const answers = await Promise.all(live.map((m) => memberStatus(m.clientAddr, deadlineMs)));
    return answers.some((s) => s?.header && s.leader !== "0" && s.leader === s.header.member_id);
  }

  /** A second way to find the leader when Maintenance.Status gives none. */
  protected async leaderFallback(): Promise<string | undefined> {
    return undefined;
  }

  /**
   * Every live member knows a leader and answers a linearizable read (which needs it to be
   * caught up with the leader's commit index), within `timeoutMs`.
   */
  async waitHealthy(timeoutMs: number): Promise<void> {
    const end = Date.now() + timeoutMs;
    let last = "";
    while (Date.now() < end) {
      const problems: string[] = [];
      for (const m of this.members) {
        if (!this.isAlive(m.name)) continue;
        const s = await memberStatus(m.clientAddr, 1000);
        if (!s) problems.push(`${m.name}: no Status answer`);
        else if (s.leader === "0") problems.push(`${m.name}: no leader`);
        else {
          const c = kvClient(m.clientAddr, true);
          const err = await range(c, Buffer.from("health"), false, 2000);
          c.close();
          if (err) problems.push(`${m.name}: read failed: ${err.details || err.message}`);
        }
      }
      if (problems.length === 0) return;
      last = problems.join("; ");
      await sleep(100);
    }
    throw new Error(`${this.system} not healthy after ${timeoutMs} ms: ${last}`);
  }

  /** Whether `stop` asks the members to exit (SIGTERM) before it kills them. */
  protected get gracefulStop(): boolean {
    return false;
  }

  /** CPU seconds used so far by each live member, by name. */
  memberCpuSeconds(): Map<string, number> {
    const out = new Map<string, number>();
    for (const [name, c] of this.procs) out.set(name, processCpuSeconds(c.pid));
    return out;
  }

  async stop(): Promise<void> {
    if (this.gracefulStop) {
      for (const [name, c] of this.procs) if (this.isAlive(name)) c.kill("SIGTERM");
      for (const name of this.procs.keys()) await this.waitExited(name, 10_000);
    }
    for (const [name, c] of this.procs) {
      if (this.isAlive(name)) c.kill("SIGKILL");
    }
    for (const name of this.procs.keys()) await this.waitExited(name, 5000);
  }
}

/** Three members named m1..m3 on the given ports, data and logs under `root`. */
export function memberSpecs(root: string, ports: readonly number[]): MemberSpec[] {
  return [0, 1, 2].map((i) => ({
    name: `m${i + 1}`,
    clientAddr: `127.0.0.1:${ports[i * 3]}`,
    peerAddr: `127.0.0.1:${ports[i * 3 + 1]}`,
    httpAddr: `127.0.0.1:${ports[i * 3 + 2]}`,
    dataDir: join(root, `m${i + 1}`),
    logFile: join(root, `m${i + 1}.log`),
  }));
}
