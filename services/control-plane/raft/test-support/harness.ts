/**
 * A cluster of RaftRuntimes in one process for tests: real gRPC on 127.0.0.1, real files
 * in a temp dir, a tiny list state machine, and bounded polling waits.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type NodeId, nodeId } from "../../../../libs/raft/index.js";
import { freePorts } from "../../../cli/support/ports.js";
import { RaftRuntime } from "../runtime.js";
import type { AppliedEntry, RaftRuntimeOptions, StateMachine } from "../runtime-types.js";

/** Appends each payload (as text) to a list; the result names the payload and its position. */
export class ListStateMachine implements StateMachine {
  items: string[] = [];
  applied = 0;
  /** Indexes of the snapshots this instance was restored from. */
  restoredFrom: number[] = [];

  apply(e: AppliedEntry): { echo: string; position: number } {
    const text = new TextDecoder().decode(e.data);
    this.items.push(text);
    this.applied = e.index;
    return { echo: text, position: this.items.length };
  }

  markApplied(index: number): void {
    this.applied = index;
  }

  snapshot(): Iterable<Uint8Array> {
    return [new TextEncoder().encode(JSON.stringify({ applied: this.applied, items: this.items }))];
  }

  restore(data: Uint8Array): void {
    const s = JSON.parse(new TextDecoder().decode(data)) as { applied: number; items: string[] };
    this.items = s.items;
    this.applied = s.applied;
    this.restoredFrom.push(s.applied);
  }

  appliedIndex(): number {
    return this.applied;
  }
}

export interface TestMember {
  readonly id: NodeId;
  readonly url: string;
  readonly dir: string;
  /** Not a founding member: starts with `join` and waits to be added. */
  readonly spare: boolean;
  sm: ListStateMachine;
  rt: RaftRuntime | undefined;
}

export type MemberOptions = Partial<
  Omit<RaftRuntimeOptions, "id" | "dataDir" | "listen" | "initialCluster" | "stateMachine">
>;

/** Defaults that keep tests fast: 10 ms ticks, elections in 100–200 ms, quick reconnects. */
export const FAST: MemberOptions = {
  tickMs: 10,
  electionTicks: 10,
  heartbeatTicks: 1,
  fsync: false,
  transportLimits: { backoffMsMin: 10, backoffMsMax: 100 },
};

export class TestCluster {
  private constructor(
    readonly root: string,
    readonly members: TestMember[],
    private readonly options: MemberOptions,
  ) {}

  static async start(size: number, options: MemberOptions = {}): Promise<TestCluster> {
    const root = await mkdtemp(join(tmpdir(), "flotilla-raft-"));
    const members: TestMember[] = [];
    for (let i = 1; i <= size; i++) {
      members.push({
        id: nodeId(i),
        url: `127.0.0.1:${await freePort()}`,
        dir: join(root, `m${i}`),
        spare: false,
        sm: new ListStateMachine(),
        rt: undefined,
      });
    }
    const c = new TestCluster(root, members, { ...FAST, ...options });
    await Promise.all(members.map((m) => c.startMember(m.id)));
    return c;
  }

  member(id: number): TestMember {
    const m = this.members.find((x) => x.id === id);
    if (!m) throw new Error(`no member ${id}`);
    return m;
  }

  rt(id: number): RaftRuntime {
    const rt = this.member(id).rt;
    if (!rt) throw new Error(`member ${id} is stopped`);
    return rt;
  }

  /** Reserves a port and a data dir for a member to be added later; does not start it. */
  async addSpare(): Promise<TestMember> {
    const id = nodeId(this.members.length + 1);
    const m: TestMember = {
      id,
      url: `127.0.0.1:${await freePort()}`,
      dir: join(this.root, `m${id}`),
      spare: true,
      sm: new ListStateMachine(),
      rt: undefined,
    };
    this.members.push(m);
    return m;
  }

  running(): TestMember[] {
    return this.members.filter((m) => m.rt !== undefined);
  }

  /** Starts (or restarts, from its data dir, with a fresh state machine) a member on its port. */
  async startMember(id: number, extra: MemberOptions = {}): Promise<RaftRuntime> {
    const m = this.member(id);
    m.sm = new ListStateMachine();
    m.rt = await RaftRuntime.start({
      ...this.options,
      ...extra,
      id: m.id,
      dataDir: m.dir,
      listen: m.url,
      join: m.spare,
      initialCluster: this.members.filter((x) => !x.spare).map((x) => ({ id: x.id, url: x.url })),
      stateMachine: m.sm,
    });
    return m.rt;
  }

  async stopMember(id: number): Promise<void> {
    const m = this.member(id);
    const rt = m.rt;
    m.rt = undefined;
    await rt?.stop();
  }

  /** Waits until the running members agree on one leader; returns its id. */
  async leader(among: readonly TestMember[] = this.running()): Promise<NodeId> {
    let lead = 0 as NodeId;
    await waitFor(() => {
      const st = among.map((m) => m.rt!.status());
      const l = st.find((s) => s.role === "leader");
      if (!l || st.some((s) => s.lead !== l.id || s.term !== l.term)) return false;
      lead = l.id;
      return true;
    }, "a leader known to every running member");
    return lead;
  }

  /** Waits until the running members applied the same index and hold the same items. */
  async converged(among: readonly TestMember[] = this.running()): Promise<void> {
    await waitFor(() => {
      const first = among[0]!;
      const commit = Math.max(...among.map((m) => m.rt!.status().commit));
      return among.every(
        (m) =>
          m.rt!.status().applied === commit &&
          m.sm.items.length === first.sm.items.length &&
          m.sm.items.every((x, i) => x === first.sm.items[i]),
      );
    }, "members to apply the same sequence");
  }

  async close(): Promise<void> {
    await Promise.all(this.members.map((m) => this.stopMember(m.id)));
    await rm(this.root, { recursive: true, force: true });
  }
}

/** Polls `cond` every 10 ms until true; fails after `timeoutMs` naming what it waited for. */
export async function waitFor(cond: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A port the OS just handed out (bound to 0, read, released): members need URLs before they start. */
export async function freePort(): Promise<number> {
  const [port] = await freePorts(1, "127.0.0.1");
  return port!;
}

export const text = (s: string): Uint8Array => new TextEncoder().encode(s);
