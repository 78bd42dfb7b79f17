import { describe, expect, it } from "vitest";
import type { Entry } from "../../../libs/raft/index.js";
import { encodeEnvelope, type ProposalTag } from "./envelope.js";
import { RaftRuntimeError } from "./errors.js";
import { ProposalTracker } from "./proposals.js";
import { ReadIndexBatcher } from "./read-index.js";

const opts = { member: 1, incarnation: 7, limit: 3, timeoutMs: 1000 };
const entry = (index: number, tag: ProposalTag | undefined): Entry => ({
  term: 1,
  index,
  type: "normal",
  data: tag ? encodeEnvelope(tag, new Uint8Array([1])) : new Uint8Array(0),
});

async function outcome(p: Promise<unknown>): Promise<string> {
  return p.then(
    () => "resolved",
    (e: RaftRuntimeError) => e.code,
  );
}

describe("proposal tracker", () => {
  it("resolves a proposal when its entry is applied, once", async () => {
    const t = new ProposalTracker(opts);
    const { tag, promise } = t.create(0);
    t.applied(5, 2, tag, "r");
    t.applied(5, 2, tag, "again");
    await expect(promise).resolves.toEqual({ index: 5, term: 2, result: "r" });
    expect(t.size).toBe(0);
  });

  it("rejects 'overwritten' when another entry replaces it in the log, or is applied at its index", async () => {
    const t = new ProposalTracker(opts);
    const a = t.create(0);
    const b = t.create(0);
    t.noteAppended([entry(10, a.tag), entry(11, b.tag)]);
    t.noteAppended([entry(10, { member: 2, incarnation: 1, seq: 1 })]); // a new leader's entry at 10
    t.applied(11, 3, undefined, undefined); // a no-op applied at 11
    expect(await outcome(a.promise)).toBe("overwritten");
    expect(await outcome(b.promise)).toBe("overwritten");
  });

  it("does not confuse a previous incarnation's entry with a new proposal", async () => {
    const t = new ProposalTracker(opts);
    const p = t.create(0);
    t.applied(3, 1, { ...p.tag, incarnation: 6 }, "old");
    expect(t.size).toBe(1);
    t.applied(4, 1, p.tag, "new");
    await expect(p.promise).resolves.toMatchObject({ result: "new" });
  });

  it("refuses beyond its bound, times out, and rejects what a snapshot covered as unknown", async () => {
    const t = new ProposalTracker(opts);
    const a = t.create(0);
    const b = t.create(500);
    const c = t.create(500);
    expect(() => t.create(0)).toThrow(expect.objectContaining({ code: "tooManyRequests" }));
    expect(t.expire(1000)).toBe(1);
    t.noteAppended([entry(20, b.tag)]);
    t.coveredBySnapshot(25);
    t.rejectAll(new RaftRuntimeError("stopped", "stop"));
    expect(await outcome(a.promise)).toBe("timeout");
    expect(await outcome(b.promise)).toBe("leaderChanged");
    expect(await outcome(c.promise)).toBe("stopped");
  });
});

describe("read index batcher", () => {
  it("shares one request among the callers queued before it, and waits for applied to reach the index", async () => {
    const r = new ReadIndexBatcher(opts);
    const first = [r.wait(0), r.wait(0)];
    const ctx = r.takeRequest()!;
    const late = r.wait(0); // arrived after the request went out: needs the next one
    expect(r.takeRequest()).not.toEqual(ctx);
    let done = 0;
    for (const p of first) void p.then(() => done++);
    r.onReadState({ index: 9, context: ctx }, 8);
    await Promise.resolve();
    expect(done).toBe(0);
    r.onApplied(9);
    await Promise.all(first);
    r.rejectAll(new RaftRuntimeError("stopped", "stop"));
    expect(await outcome(late)).toBe("stopped");
  });

  it("asks again after a leader change, and refuses beyond its bound", async () => {
    const r = new ReadIndexBatcher(opts);
    const a = r.wait(0);
    r.takeRequest();
    r.requeueInflight();
    expect(r.hasQueued).toBe(true);
    const ctx = r.takeRequest()!;
    r.onReadState({ index: 1, context: ctx }, 1);
    await a;
    r.wait(0).catch(() => {});
    r.wait(0).catch(() => {});
    r.wait(0).catch(() => {});
    expect(() => r.wait(0)).toThrow(expect.objectContaining({ code: "tooManyRequests" }));
  });
});
