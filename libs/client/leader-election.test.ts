import { status } from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import {
  ApiStatusError,
  type CallOptions,
  FakeClock,
  FakeResourceApi,
  LeaderElectionConfigError,
  LeaderElector,
  type LeaseObject,
  type RawWatch,
  type ResourceApi,
  ResourceClient,
} from "./index.js";

/** A ResourceApi in front of the shared fake that can be cut off (failing fast) or made to hang. */
class FlakyApi implements ResourceApi {
  mode: "up" | "down" | "hang" = "up";
  constructor(private readonly inner: ResourceApi) {}
  private async gate(): Promise<void> {
    if (this.mode === "down") throw new ApiStatusError(status.UNAVAILABLE, "", "connection refused");
    if (this.mode === "hang") await new Promise(() => {});
  }
  async create(req: object, o?: CallOptions) {
    await this.gate();
    return this.inner.create(req, o);
  }
  async get(req: object, o?: CallOptions) {
    await this.gate();
    return this.inner.get(req, o);
  }
  async list(req: object, o?: CallOptions) {
    await this.gate();
    return this.inner.list(req, o);
  }
  async update(req: object, o?: CallOptions) {
    await this.gate();
    return this.inner.update(req, o);
  }
  async updateStatus(req: object, o?: CallOptions) {
    await this.gate();
    return this.inner.updateStatus(req, o);
  }
  async patch(req: object, o?: CallOptions) {
    await this.gate();
    return this.inner.patch(req, o);
  }
  async delete(req: object, o?: CallOptions) {
    await this.gate();
    return this.inner.delete(req, o);
  }
  watch(req: object): RawWatch {
    return this.inner.watch(req);
  }
}

function seeded(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
}

interface Candidate {
  readonly id: string;
  readonly api: FlakyApi;
  elector: LeaderElector;
  started: number;
  stopped: number;
  leaderSeen: string[];
}

function cluster(n: number, options: { releaseOnCancel?: boolean } = {}) {
  const store = new FakeResourceApi();
  const clock = new FakeClock();
  const violations: string[] = [];
  const candidates: Candidate[] = [];
  const leaders = () => candidates.filter((c) => c.elector.isLeader()).map((c) => c.id);
  const make = (c: Omit<Candidate, "elector"> & { elector?: LeaderElector }, seed: number): LeaderElector =>
    new LeaderElector({
      client: new ResourceClient<LeaseObject>(c.api, "leases", "kube-system"),
      leaseName: "controller-manager",
      identity: c.id,
      clock,
      random: seeded(seed),
      releaseOnCancel: options.releaseOnCancel ?? false,
      callbacks: {
        onStartedLeading: () => {
          c.started++;
          if (leaders().length !== 1) violations.push(`${c.id} started while leaders are ${leaders()}`);
        },
        onStoppedLeading: () => c.stopped++,
        onNewLeader: (id) => c.leaderSeen.push(id),
      },
    });
  for (let i = 0; i < n; i++) {
    const c = {
      id: `m${i + 1}`,
      api: new FlakyApi(store),
      started: 0,
      stopped: 0,
      leaderSeen: [],
    } as unknown as Candidate;
    c.elector = make(c, i + 1);
    candidates.push(c);
  }
  /** Advances in 100 ms steps, checking at each that at most one candidate believes it leads. */
  const run = async (ms: number) => {
    for (let t = 0; t < ms; t += 100) {
      await clock.advance(100);
      if (leaders().length > 1) violations.push(`at ${t} ms leaders are ${leaders()}`);
    }
  };
  const restart = (c: Candidate, seed: number) => {
    c.elector = make(c, seed);
    c.elector.start();
  };
  const lease = async () =>
    (await store.resource<LeaseObject>("leases", "kube-system").get("controller-manager")).spec;
  return { store, clock, candidates, leaders, run, restart, violations, lease };
}

describe("LeaderElector", () => {
  it("rejects timings where the holder could outlive its lease", () => {
    const client = new ResourceClient<LeaseObject>(new FakeResourceApi(), "leases", "ns");
    const callbacks = { onStartedLeading: () => {}, onStoppedLeading: () => {} };
    const base = { client, leaseName: "l", identity: "a", callbacks };
    expect(() => new LeaderElector({ ...base, leaseDurationMs: 10_000, renewDeadlineMs: 10_000 })).toThrow(
      LeaderElectionConfigError,
    );
    expect(() => new LeaderElector({ ...base, renewDeadlineMs: 2_000, retryPeriodMs: 2_000 })).toThrow(
      LeaderElectionConfigError,
    );
  });

  it("elects exactly one of three candidates and keeps it while it renews", async () => {
    const { candidates, leaders, run, violations, lease } = cluster(3);
    for (const c of candidates) c.elector.start();
    await run(60_000);
    expect(leaders()).toHaveLength(1);
    const leader = leaders()[0];
    expect((await lease())?.holderIdentity).toBe(leader);
    expect((await lease())?.leaseTransitions).toBe(0);
    for (const c of candidates) expect(c.elector.getLeader()).toBe(leader);
    expect(candidates.map((c) => c.started).reduce((a, b) => a + b)).toBe(1);
    expect(violations).toEqual([]);
    for (const c of candidates) await c.elector.stop();
  });

  it("never has two leaders while the holder is cut off, hangs, crashes and restarts", async () => {
    const { candidates, leaders, run, restart, violations, lease } = cluster(3);
    for (const c of candidates) c.elector.start();
    await run(5_000);
    const first = candidates.find((c) => c.elector.isLeader()) as Candidate;

    // The holder cannot reach the API: it steps down within renewDeadline, another takes over after the lease.
    first.api.mode = "down";
    await run(30_000);
    expect(first.stopped).toBe(1);
    expect(leaders()).toHaveLength(1);
    const second = candidates.find((c) => c.elector.isLeader()) as Candidate;
    expect(second).not.toBe(first);
    expect((await lease())?.leaseTransitions).toBe(1);
    first.api.mode = "up";
    await run(10_000);
    expect(first.elector.isLeader()).toBe(false);
    expect(first.elector.getLeader()).toBe(second.id);

    // The new holder's calls hang: the renew deadline still fires on its own clock.
    second.api.mode = "hang";
    await run(30_000);
    expect(second.elector.isLeader()).toBe(false);
    expect(second.stopped).toBe(1);
    const third = candidates.find((c) => c.elector.isLeader()) as Candidate;
    expect(third).toBeDefined();
    second.api.mode = "up";
    restart(second, 99);

    // The holder crashes (no release) and restarts at once with its identity: it renews its own lease.
    await third.elector.stop();
    restart(third, 42);
    await run(10_000);
    expect(leaders()).toEqual([third.id]);

    // It crashes for good: someone else takes over after the lease duration.
    await third.elector.stop();
    await run(30_000);
    expect(leaders()).toHaveLength(1);
    expect(leaders()[0]).not.toBe(third.id);
    expect(violations).toEqual([]);
    for (const c of candidates) await c.elector.stop();
  });

  it("with releaseOnCancel hands over within a few retry periods instead of a lease duration", async () => {
    const { candidates, leaders, run, violations, lease } = cluster(2, { releaseOnCancel: true });
    for (const c of candidates) c.elector.start();
    await run(5_000);
    const first = candidates.find((c) => c.elector.isLeader()) as Candidate;
    await first.elector.stop();
    expect((await lease())?.holderIdentity).toBe("");
    await run(5_000);
    expect(leaders()).toHaveLength(1);
    expect(leaders()[0]).not.toBe(first.id);
    expect((await lease())?.leaseTransitions).toBe(1);
    expect(violations).toEqual([]);
    for (const c of candidates) await c.elector.stop();
  });
});
