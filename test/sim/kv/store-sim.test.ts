import { describe, expect, it } from "vitest";
import { latin1ToBytes, type MvccStore } from "../../../libs/mvcc/index.js";
import { type Entry, nodeId } from "../../../libs/raft/index.js";
import { ViolationSink } from "../checkers/checker.js";
import type { ClusterView, NodeView } from "../checkers/events.js";
import { runSeed, type SimResult } from "../driver.js";
import { describeFailures } from "../report.js";
import { encodeEnvelope } from "./envelope.js";
import { MvccStateMachine } from "./mvcc-state-machine.js";
import { StoreHashes } from "./store-hashes.js";

/** 1,000 seeds in four blocks, so a failure names a small range and progress shows. */
const SEEDS_TOTAL = 1000;
const BLOCKS = 4;

const totals: Record<string, number> = {};

function runRange(first: number, count: number): SimResult[] {
  const failed: SimResult[] = [];
  for (let seed = first; seed < first + count; seed++) {
    const r = runSeed({ seed, store: "mvcc" });
    for (const [k, v] of Object.entries(r.stats.store ?? {})) totals[k] = (totals[k] ?? 0) + v;
    if (!r.ok) failed.push(r);
  }
  return failed;
}

/** A node that answers linearizable reads from a stale snapshot: three revisions back. */
const staleNode1 = (node: number, store: MvccStore): number | undefined =>
  node === 1 ? Math.max(1, store.compactRevision, store.currentRevision - 3) : undefined;

describe("deterministic simulation with the MVCC store on every member", () => {
  const per = SEEDS_TOTAL / BLOCKS;
  for (let b = 0; b < BLOCKS; b++) {
    const first = 1 + b * per;
    it(`the history is linearizable, stores agree, watches are exact, seeds ${first}..${first + per - 1}`, () => {
      expect(describeFailures(runRange(first, per))).toBe("");
    }, 240_000);
  }

  it("the checks had something to check in those runs", () => {
    // Not vacuous: clients, final reads, watches, compactions, leases and replays all happened.
    expect(totals["operations"]).toBeGreaterThan(100 * SEEDS_TOTAL);
    expect(totals["finalReads"]).toBeGreaterThan(10 * SEEDS_TOTAL);
    expect(totals["watchEvents"]).toBeGreaterThan(100 * SEEDS_TOTAL);
    expect(totals["serializableReads"]).toBeGreaterThan(5 * SEEDS_TOTAL);
    expect(totals["watchCompacted"]).toBeGreaterThan(0);
    expect(totals["watchResumes"]).toBeGreaterThan(0);
    expect(totals["compactions"]).toBeGreaterThan(0);
    expect(totals["leases"]).toBeGreaterThan(0);
    expect(totals["replaysIgnored"]).toBeGreaterThan(0);
    expect(totals["unknown"]).toBeGreaterThan(0);
  });

  it("replays a seed exactly, and prints the command that does", () => {
    const a = runSeed({ seed: 4242, store: "mvcc" });
    const b = runSeed({ seed: 4242, store: "mvcc" });
    expect(b.stats).toEqual(a.stats);
    expect(b.traceTail).toEqual(a.traceTail);
    expect(a.stats.store?.["operations"]).toBeGreaterThan(0);
    expect(a.replay).toBe("npm run sim -- --seed 4242 --store mvcc");
  });

  it("catches a node that serves linearizable reads from a stale snapshot", () => {
    const results = Array.from({ length: 10 }, (_, i) =>
      runSeed({ seed: i + 1, store: "mvcc", kvHooks: { readRevision: staleNode1 } }),
    );
    const caught = results.filter((r) => !r.ok);
    expect(caught.length).toBeGreaterThanOrEqual(7);
    for (const r of caught) {
      expect(r.violations[0]?.checker).toBe("linearizability");
      expect(r.violations[0]?.message).toContain("NOT LINEARIZABLE");
    }
    // The same seeds pass without the fault: the fault, not the seed, is what fails.
    for (const r of caught.slice(0, 3)) expect(runSeed({ seed: r.seed, store: "mvcc" }).ok).toBe(true);
  });
  it("catches a command applied twice (a network that repeats forwarded proposals)", () => {
    // Raft is at-least-once for a proposal the wire repeats; the store mode's network does not
    // repeat MsgProp (as TCP does not). With it allowed, double application must be caught.
    const results = Array.from({ length: 10 }, (_, i) =>
      runSeed({
        seed: i + 1,
        store: "mvcc",
        faults: ["message-duplicate"],
        kvHooks: { duplicateProposals: true },
      }),
    );
    const caught = results.filter((r) => !r.ok);
    expect(caught.length).toBeGreaterThanOrEqual(5);
    for (const r of caught) expect(r.violations[0]?.checker).toBe("linearizability");
    expect(runSeed({ seed: caught[0]!.seed, store: "mvcc", faults: ["message-duplicate"] }).ok).toBe(true);
  });
});

describe("store hashes", () => {
  function nodeView(id: number, applied: number): NodeView {
    return {
      id: nodeId(id),
      role: "follower",
      term: 1,
      commit: applied,
      durableCommit: applied,
      applied,
      firstIndex: 1,
      lastIndex: applied,
      isMember: true,
      entryAt: () => undefined,
    };
  }

  function entry(index: number, key: string, value: string): Entry {
    const cmd = { type: "put" as const, put: { key: latin1ToBytes(key), value: latin1ToBytes(value) } };
    return { term: 1, index, type: "normal", data: encodeEnvelope(1, index, cmd) };
  }

  it("flags two members whose stores differ at the same revision", () => {
    const a = new MvccStateMachine(nodeId(1), undefined);
    const b = new MvccStateMachine(nodeId(2), undefined);
    a.apply(entry(1, "/k", "1"));
    b.apply(entry(1, "/k", "2"));
    const sink = new ViolationSink();
    const check = new StoreHashes(sink, (id) => (id === 1 ? a : b));
    const view: ClusterView = { step: 5, nodes: [nodeView(1, 1), nodeView(2, 1)] };
    check.checkView(view);
    expect(sink.violations[0]?.message).toMatch(/n2 hashKv@2\/0 .* but n1 had/);
  });

  it("flags a store whose consistent index is not the node's applied index", () => {
    const a = new MvccStateMachine(nodeId(1), undefined);
    a.apply(entry(1, "/k", "1"));
    const sink = new ViolationSink();
    new StoreHashes(sink, () => a).checkView({ step: 1, nodes: [nodeView(1, 2)] });
    expect(sink.violations[0]?.message).toBe("n1: store consistent index 1 != applied index 2");
  });

  it("at the end, compares history at past revisions between members", () => {
    const a = new MvccStateMachine(nodeId(1), undefined);
    const b = new MvccStateMachine(nodeId(2), undefined);
    a.apply(entry(1, "/k", "1"));
    b.apply(entry(1, "/k", "x"));
    a.apply(entry(2, "/k", "2"));
    b.apply(entry(2, "/k", "2"));
    const sink = new ViolationSink();
    new StoreHashes(sink, (id) => (id === 1 ? a : b)).finish({
      step: 9,
      nodes: [nodeView(1, 2), nodeView(2, 2)],
    });
    expect(sink.violations[0]?.message).toMatch(/at the end, n2 hashKv@3/);
  });
});
