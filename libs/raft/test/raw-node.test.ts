import { describe, expect, it } from "vitest";
import { RawNode } from "../raw-node.js";
import { seededRng } from "../rng.js";
import { type ConfChange, type MessageType, msg, nodeId } from "../types.js";
import { ackAll, electLeader, enc, id, Network, reply, TestNode } from "./harness.js";

/** The application-facing contract of RawNode (API.md): the Ready loop, and proposals as values. */

const V3 = [1, 2, 3];
const cc = (type: ConfChange["type"], n: number): ConfChange => ({
  type,
  nodeId: id(n),
  context: new Uint8Array(0),
});

/** Node 1 leading a three-node cluster with its no-op committed. */
function leader(config = {}): TestNode {
  const n = new TestNode({ id: 1, voters: V3, config });
  ackAll(n, electLeader(n, V3));
  expect(n.status()).toMatchObject({ role: "leader", commit: 1, applied: 1 });
  return n;
}

describe("RawNode: the Ready loop", () => {
  it("ready() twice without advance() throws, and hasReady() is false while one is outstanding", () => {
    const n = new TestNode({ id: 1, voters: V3 });
    n.raw.campaign();
    expect(n.raw.hasReady()).toBe(true);
    const rd = n.raw.ready();
    expect(n.raw.hasReady()).toBe(false);
    expect(() => n.raw.ready()).toThrow(/before advance/);
    n.raw.advance(rd);
    expect(n.raw.hasReady()).toBe(false);
  });

  it("advance() with a Ready that is not the outstanding one throws", () => {
    const n = new TestNode({ id: 1, voters: V3 });
    n.raw.campaign();
    const rd = n.raw.ready();
    expect(() => n.raw.advance({ ...rd })).toThrow(/not the outstanding one/);
    n.raw.advance(rd);
    expect(() => n.raw.advance(rd)).toThrow(/not the outstanding one/);
  });

  it.each(["MsgHup", "MsgBeat", "MsgCheckQuorum", "MsgUnreachable", "MsgSnapStatus"] as MessageType[])(
    "stepping the local message %s from the network throws",
    (type) => {
      const n = new TestNode({ id: 1, voters: V3 });
      expect(() => n.raw.step(msg({ type, from: nodeId(2), to: nodeId(1), term: 1 }))).toThrow(
        /local message/,
      );
    },
  );

  it("responses from nodes that are not members are dropped", () => {
    const n = leader();
    n.raw.step(reply("MsgAppResp", 9, 1, 1, { index: 1 }));
    n.raw.step(reply("MsgVoteResp", 9, 1, 1));
    expect(n.raw.hasReady()).toBe(false);
  });

  it("a Ready carries the soft state only when it changed, and mustSync only for term, vote or entries", () => {
    const n = new TestNode({ id: 1, voters: V3 });
    n.campaign();
    const campaign = n.readies[n.readies.length - 1]!;
    expect(campaign.softState).toEqual({ leader: 0, role: "candidate" });
    expect(campaign).toMatchObject({ hardState: { term: 1, vote: 1, commit: 0 }, mustSync: true });
    // A follower that only learns a new commit index need not sync.
    const f = new TestNode({ id: 2, voters: V3, log: [1, 1], term: 1 });
    f.step(reply("MsgHeartbeat", 1, 2, 1, { commit: 0 }));
    f.step(reply("MsgHeartbeat", 1, 2, 1, { commit: 2 }));
    const last = f.readies[f.readies.length - 1]!;
    expect(last.softState).toBeUndefined();
    expect(last).toMatchObject({ hardState: { term: 1, vote: 0, commit: 2 }, mustSync: false, entries: [] });
    expect(last.committedEntries.map((e) => e.index)).toEqual([1, 2]);
  });

  it("a leader counts its own entries toward commitment only once they are persisted (advance)", () => {
    const n = new TestNode({ id: 1, voters: [1] });
    n.raw.campaign();
    const rd = n.raw.ready();
    expect(rd.entries.map((e) => e.index)).toEqual([1]);
    expect(n.status().commit).toBe(0);
    n.storage.append(rd.entries);
    n.raw.advance(rd);
    expect(n.status().commit).toBe(1);
  });

  it("a restarted node recovers term, vote, commit and the log from storage, and re-delivers unapplied entries", () => {
    const net = Network.of(3);
    net.campaign(1);
    net.propose(1, "a");
    net.propose(1, "b");
    const old = net.node(2);
    const st = old.status();
    const restarted = new RawNode({ id: old.id, storage: old.storage, rng: seededRng(9), applied: 2 });
    expect(restarted.status()).toMatchObject({
      term: st.term,
      vote: st.vote,
      commit: st.commit,
      applied: 2,
      lastIndex: 3,
    });
    const rd = restarted.ready();
    expect(rd.committedEntries.map((e) => e.index)).toEqual([3]);
  });

  it("a Ready that installs a snapshot must be synced before its acknowledgement is sent", () => {
    const f = new TestNode({ id: 2, voters: V3, term: 1 });
    const snapshot = {
      metadata: { index: 10, term: 1, confState: { voters: V3.map(nodeId), learners: [] } },
      data: new Uint8Array(0),
    };
    f.step(reply("MsgSnap", 1, 2, 1, { snapshot }));
    const rd = f.readies.find((r) => r.snapshot !== undefined)!;
    expect(rd.messages).toContainEqual(expect.objectContaining({ type: "MsgAppResp", index: 10 }));
    expect(rd.mustSync).toBe(true);
  });
});

describe("RawNode: proposals are refused with typed reasons", () => {
  it("noLeader on a follower that knows no leader", () => {
    const n = new TestNode({ id: 2, voters: V3 });
    expect(n.raw.propose(enc("x"))).toEqual({ ok: false, reason: "noLeader" });
  });

  it("noLeader on a candidate", () => {
    const n = new TestNode({ id: 1, voters: V3 });
    n.campaign();
    expect(n.raw.propose(enc("x"))).toEqual({ ok: false, reason: "noLeader" });
  });

  it("ok on a follower that knows the leader: the proposal is forwarded", () => {
    const n = new TestNode({ id: 2, voters: V3, term: 1 });
    n.step(reply("MsgHeartbeat", 1, 2, 1));
    expect(n.raw.propose(enc("x"))).toEqual({ ok: true });
    const fwd = n.drain().filter((m) => m.type === "MsgProp");
    expect(fwd).toHaveLength(1);
    expect(fwd[0]).toMatchObject({ to: 1, from: 2, term: 0 });
  });

  it("uncommittedLogFull once the uncommitted tail exceeds maxUncommittedEntriesBytes", () => {
    const n = leader({ maxUncommittedEntriesBytes: 4 });
    expect(n.raw.propose(enc("abc"))).toEqual({ ok: true });
    expect(n.raw.propose(enc("de"))).toEqual({ ok: false, reason: "uncommittedLogFull" });
    expect(n.raw.propose(enc("d"))).toEqual({ ok: true });
    // Once the tail commits and is applied, there is room again.
    ackAll(n, n.drain());
    expect(n.appliedData()).toEqual(["abc", "d"]);
    expect(n.raw.propose(enc("fghi"))).toEqual({ ok: true });
  });

  it("a lone proposal larger than the whole budget is still let in when nothing is uncommitted", () => {
    const n = leader({ maxUncommittedEntriesBytes: 4 });
    expect(n.raw.propose(new Uint8Array(100))).toEqual({ ok: true });
  });

  it("transferring while a leadership transfer is under way", () => {
    const n = leader();
    n.raw.transferLeader(id(2));
    expect(n.raw.propose(enc("x"))).toEqual({ ok: false, reason: "transferring" });
  });

  it("confChangePending while an earlier membership change is not yet applied", () => {
    const n = leader();
    expect(n.raw.proposeConfChange(cc("removeNode", 3))).toEqual({ ok: true });
    expect(n.raw.proposeConfChange(cc("removeNode", 2))).toEqual({ ok: false, reason: "confChangePending" });
    // Normal proposals are not held up by it.
    expect(n.raw.propose(enc("x"))).toEqual({ ok: true });
  });

  it("leaderTermUncommitted before the new leader's no-op commits", () => {
    const n = new TestNode({ id: 1, voters: V3 });
    electLeader(n, V3);
    expect(n.raw.proposeConfChange(cc("removeNode", 3))).toEqual({
      ok: false,
      reason: "leaderTermUncommitted",
    });
  });

  it("learnerNotReady for promoting a learner that lags behind", () => {
    const nodes = [1, 2, 3, 4].map(
      (i) => new TestNode({ id: i, voters: V3, learners: [4], config: { learnerCatchUpEntriesMax: 1 } }),
    );
    const net = new Network(nodes);
    net.isolate(4);
    net.campaign(1);
    net.propose(1, "a");
    net.propose(1, "b");
    expect(net.node(1).raw.proposeConfChange(cc("addVoter", 4))).toEqual({
      ok: false,
      reason: "learnerNotReady",
    });
    net.heal();
    net.tick(1, 1);
    expect(net.node(1).raw.proposeConfChange(cc("addVoter", 4))).toEqual({ ok: true });
  });

  it("invalidConfChange for removing the last voter", () => {
    const n = new TestNode({ id: 1, voters: [1] });
    n.campaign();
    expect(n.status().commit).toBe(1);
    expect(n.raw.proposeConfChange(cc("removeNode", 1))).toEqual({ ok: false, reason: "invalidConfChange" });
  });

  it("a refused proposal appends nothing", () => {
    const n = leader();
    const last = n.status().lastIndex;
    n.raw.transferLeader(id(2));
    n.raw.propose(enc("x"));
    expect(n.status().lastIndex).toBe(last);
  });
});
