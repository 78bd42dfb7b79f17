import { describe, expect, it } from "vitest";
import { encodeConfChange } from "../conf-change.js";
import type { RaftConfig } from "../raft.js";
import type { ConfChange, Entry } from "../types.js";
import { enc, id, Network, ofType, TestNode } from "./harness.js";

/**
 * Single-server membership changes (thesis §4.1, with Ongaro's 2015 fix that a leader changes
 * the membership only after committing an entry of its term), learners (§4.2.1), and removed
 * servers (§4.2.3). The founding members are bootstrapped, so the membership is in the log.
 */

const cc = (type: ConfChange["type"], n: number): ConfChange => ({
  type,
  nodeId: id(n),
  context: new Uint8Array(0),
});

/** Founders 1..n led by node 1, plus empty nodes `joiners` that know nobody yet. */
function cluster(n: number, joiners: number[] = [], config: Partial<RaftConfig> = {}): Network {
  const voters = Array.from({ length: n }, (_, i) => i + 1);
  const founders = voters.map((i) => new TestNode({ id: i, voters, bootstrap: true, config }));
  const others = joiners.map((i) => new TestNode({ id: i, voters: [], bootstrap: true, config }));
  const net = new Network([...founders, ...others]);
  net.campaign(1);
  expect(net.leader()).toBe(1);
  return net;
}

function change(net: Network, c: ConfChange): ReturnType<TestNode["raw"]["proposeConfChange"]> {
  const res = net.node(1).raw.proposeConfChange(c);
  net.send(net.node(1).drain());
  return res;
}

describe("§4.1 single-server membership change", () => {
  it("§4.1 single-server membership change: a new voter catches up and then counts toward the majority", () => {
    const net = cluster(3, [4]);
    expect(change(net, cc("addVoter", 4))).toEqual({ ok: true });
    expect(net.node(1).status().confState.voters).toEqual([1, 2, 3, 4]);
    expect(net.node(4).logTerms()).toEqual(net.node(1).logTerms());
    expect(net.node(4).status().confState.voters).toEqual([1, 2, 3, 4]);
    // Four voters need three acknowledgements: the leader and node 2 are no longer enough.
    net.isolate(3);
    net.isolate(4);
    const before = net.node(1).status().commit;
    net.propose(1, "x");
    expect(net.node(1).status().commit).toBe(before);
  });

  it("§4.1 a member added after the leader's newest snapshot installs it and then applies its own addition", () => {
    const net = cluster(3, [4]);
    net.propose(1, "a");
    net.propose(1, "b");
    // The leader snapshots the membership {1,2,3} and compacts its whole log away.
    const leader = net.node(1);
    const applied = leader.status().applied;
    leader.storage.createSnapshot(applied, leader.status().confState, new Uint8Array(0));
    leader.storage.compact(applied);
    expect(change(net, cc("addVoter", 4))).toEqual({ ok: true });
    // Node 4 got a snapshot that does not list it, then the entry that adds it.
    expect(net.node(4).status().confState.voters).toEqual([1, 2, 3, 4]);
    expect(net.node(4).status().applied).toBe(leader.status().applied);
    expect(leader.status().progress.get(id(4))?.state).toBe("replicate");
  });

  it("§4.1 a change takes effect when it is applied, not when it is appended", () => {
    const net = cluster(3, [4]);
    net.isolate(2);
    net.isolate(3);
    expect(change(net, cc("addVoter", 4))).toEqual({ ok: true });
    expect(net.node(1).status().confState.voters).toEqual([1, 2, 3]);
    net.heal();
    net.tick(1, 1);
    expect(net.node(1).status().confState.voters).toEqual([1, 2, 3, 4]);
  });

  it("§4.1 only one change may be in flight: a second is refused until the first is applied", () => {
    const net = cluster(5);
    net.isolate(1);
    expect(change(net, cc("removeNode", 5))).toEqual({ ok: true });
    expect(change(net, cc("removeNode", 4))).toEqual({ ok: false, reason: "confChangePending" });
    net.heal();
    net.tick(1, 1);
    expect(change(net, cc("removeNode", 4))).toEqual({ ok: true });
    expect(net.node(1).status().confState.voters).toEqual([1, 2, 3]);
  });

  it("§4.1 a new leader may not change the membership before it commits an entry of its term", () => {
    const voters = [1, 2, 3];
    const net = new Network(voters.map((i) => new TestNode({ id: i, voters, bootstrap: true })));
    net.dropTypes.add("MsgApp");
    net.campaign(1);
    expect(net.node(1).status().role).toBe("leader");
    expect(net.node(1).raw.proposeConfChange(cc("removeNode", 3))).toEqual({
      ok: false,
      reason: "leaderTermUncommitted",
    });
  });

  it("§4.1 removing the leader: it steps down once the change is applied and the rest elect a leader", () => {
    const net = cluster(3);
    expect(change(net, cc("removeNode", 1))).toEqual({ ok: true });
    expect(net.node(1).status()).toMatchObject({ role: "follower" });
    expect(net.node(1).raw.propose(enc("x"))).toEqual({ ok: false, reason: "noLeader" });
    net.nodes.delete(id(1));
    net.tick(30);
    const leader = net.leader();
    expect([2, 3]).toContain(leader);
    expect(net.node(2).status().confState.voters).toEqual([2, 3]);
    expect(net.propose(leader!, "after")).toEqual({ ok: true });
    expect(net.node(3).appliedData()).toEqual(["after"]);
  });

  it("§4.1 removing a follower shrinks the majority", () => {
    const net = cluster(3);
    change(net, cc("removeNode", 3));
    net.isolate(2);
    const before = net.node(1).status().commit;
    net.propose(1, "x");
    expect(net.node(1).status().commit).toBe(before); // 1 of 2 is not a majority
    net.heal();
    net.tick(1, 1);
    expect(net.node(2).appliedData()).toEqual(["x"]);
  });

  it("§4.1 a server with a committed but unapplied membership change does not campaign", () => {
    const entries: Entry[] = [
      { term: 1, index: 1, type: "confChange", data: encodeConfChange(cc("addVoter", 4)) },
    ];
    const n = new TestNode({ id: 1, voters: [1, 2, 3], entries, term: 1, commit: 1 });
    n.raw.campaign(); // before the application has applied entry 1
    expect(n.status().role).toBe("follower");
    n.drain();
    expect(n.status().confState.voters).toEqual([1, 2, 3, 4]);
    n.campaign();
    expect(n.status().role).toBe("candidate");
  });

  it("§4.1 the last voter cannot be removed or demoted", () => {
    const net = cluster(1);
    expect(change(net, cc("removeNode", 1))).toEqual({ ok: false, reason: "invalidConfChange" });
    expect(change(net, cc("addLearner", 1))).toEqual({ ok: false, reason: "invalidConfChange" });
  });

  it("§4.1 a membership change refused by flow control leaves no change pending", () => {
    const net = cluster(3, [4], { maxUncommittedEntriesBytes: 1 });
    net.isolate(2);
    net.isolate(3);
    expect(net.propose(1, "fills the uncommitted budget")).toEqual({ ok: true });
    expect(net.node(1).raw.proposeConfChange(cc("addVoter", 4))).toEqual({
      ok: false,
      reason: "uncommittedLogFull",
    });
    net.heal();
    net.tick(1, 1);
    expect(net.node(1).appliedData()).toEqual(["fills the uncommitted budget"]);
    expect(change(net, cc("addVoter", 4))).toEqual({ ok: true });
  });
  it("§4.1/§6.2 a newly added voter gets an election timeout of grace before CheckQuorum counts it", () => {
    const net = cluster(1, [2], { preVote: true, checkQuorum: true });
    net.tick(9, 1); // the next CheckQuorum round is one tick away
    net.isolate(2); // node 2 is slow to answer, not gone
    expect(change(net, cc("addVoter", 2))).toEqual({ ok: true });
    expect(net.node(1).status().confState.voters).toEqual([1, 2]);
    net.tick(1, 1);
    expect(net.node(1).status().role).toBe("leader");
  });
});

describe("§4.2 learners and removed servers", () => {
  it("§4.2.1 a learner receives the log but does not count toward commitment", () => {
    const net = cluster(3, [4]);
    expect(change(net, cc("addLearner", 4))).toEqual({ ok: true });
    expect(net.node(1).status().confState).toEqual({ voters: [1, 2, 3], learners: [4] });
    net.propose(1, "a");
    expect(net.node(4).appliedData()).toEqual(["a"]);
    net.isolate(2);
    net.isolate(3);
    const before = net.node(1).status().commit;
    net.propose(1, "b");
    expect(net.node(1).status().commit).toBe(before);
  });

  it("§4.2.1 a learner never campaigns, and its vote does not count", () => {
    const nodes = [1, 2, 3].map((i) => new TestNode({ id: i, voters: [1, 2], learners: [3] }));
    const out = nodes[2]!.tick(100);
    expect(ofType(out, "MsgVote")).toEqual([]);
    expect(ofType(out, "MsgPreVote")).toEqual([]);
    const candidate = nodes[0]!;
    const votes = candidate.campaign();
    expect(ofType(votes, "MsgVote").map((m) => m.to)).toEqual([2]);
    candidate.step({
      ...ofType(votes, "MsgVote")[0]!,
      type: "MsgVoteResp",
      from: id(3),
      to: id(1),
      index: 0,
    });
    expect(candidate.status().role).toBe("candidate");
  });

  it("§4.1 a learner is promoted to voter once it has caught up", () => {
    const net = cluster(3, [4]);
    change(net, cc("addLearner", 4));
    expect(change(net, cc("addVoter", 4))).toEqual({ ok: true });
    expect(net.node(1).status().confState).toEqual({ voters: [1, 2, 3, 4], learners: [] });
  });

  it("§4.2.3 a removed server that missed its removal cannot disrupt the cluster (lease + PreVote)", () => {
    const net = cluster(3, [], { preVote: true, checkQuorum: true });
    net.isolate(3);
    change(net, cc("removeNode", 3));
    expect(net.node(1).status().confState.voters).toEqual([1, 2]);
    const term = net.node(1).status().term;
    net.heal();
    net.tick(50);
    expect(net.leader()).toBe(1);
    expect(net.node(1).status().term).toBe(term);
  });
});
