import { describe, expect, it } from "vitest";
import type { RaftConfig } from "../raft.js";
import { electLeader, enc, id, Network, ofType, reply, TestNode } from "./harness.js";

/**
 * Ongaro's thesis ("Consensus: Bridging Theory and Practice", 2014): leadership transfer
 * (§3.10), CheckQuorum and the leader lease (§6.2, §4.2.3), and PreVote (§9.6).
 */

const V3 = [1, 2, 3];
const LIVE: Partial<RaftConfig> = { preVote: true, checkQuorum: true };

/** Three nodes, node 1 elected and every entry committed everywhere. */
function clusterLedBy1(config: Partial<RaftConfig> = {}): Network {
  const net = Network.of(3, { config });
  net.campaign(1);
  expect(net.leader()).toBe(1);
  return net;
}

describe("§3.10 leadership transfer", () => {
  it("§3.10 transfer to an up-to-date follower: the leader sends MsgTimeoutNow and the follower wins at once", () => {
    const net = clusterLedBy1();
    const term = net.node(1).status().term;
    net.node(1).raw.transferLeader(id(2));
    const out = net.node(1).drain();
    expect(ofType(out, "MsgTimeoutNow").map((m) => m.to)).toEqual([2]);
    net.send(out);
    expect(net.leader()).toBe(2);
    expect(net.node(1).status()).toMatchObject({ role: "follower", term: term + 1, lead: 2 });
  });

  it("§3.10 transfer to a lagging follower first brings its log up to date, then sends MsgTimeoutNow", () => {
    const net = clusterLedBy1();
    net.isolate(3);
    for (const d of ["a", "b", "c"]) net.propose(1, d);
    net.heal();
    net.node(1).raw.transferLeader(id(3));
    net.send(net.node(1).drain());
    net.tick(1, 1); // the heartbeat round un-pauses the probe to node 3
    expect(net.leader()).toBe(3);
    expect(net.node(3).logTerms()).toEqual(net.node(1).logTerms());
    expect(net.node(3).appliedData()).toEqual(["a", "b", "c"]);
  });

  it("§3.10 the leader refuses proposals while a transfer is under way", () => {
    const net = clusterLedBy1();
    net.isolate(3);
    net.node(1).raw.transferLeader(id(3));
    expect(net.node(1).raw.propose(enc("x"))).toEqual({ ok: false, reason: "transferring" });
  });

  it("§3.10 a transfer that does not finish within an election timeout is abandoned", () => {
    const net = clusterLedBy1();
    net.isolate(3);
    net.node(1).raw.transferLeader(id(3));
    expect(net.node(1).status().leadTransferee).toBe(3);
    net.tick(10, 1);
    expect(net.node(1).status()).toMatchObject({ role: "leader", leadTransferee: 0 });
    expect(net.node(1).raw.propose(enc("x"))).toEqual({ ok: true });
  });

  it.each([
    ["itself", 1],
    ["a node that is not a member", 9],
  ])("§3.10 a transfer to %s is ignored", (_, to) => {
    const net = clusterLedBy1();
    net.node(1).raw.transferLeader(id(to));
    net.send(net.node(1).drain());
    expect(net.leader()).toBe(1);
    expect(net.node(1).status().leadTransferee).toBe(0);
  });

  it("§3.10 a transfer to a learner is ignored: a learner cannot lead", () => {
    const nodes = [1, 2, 3].map((i) => new TestNode({ id: i, voters: [1, 2], learners: [3] }));
    const net = new Network(nodes);
    net.campaign(1);
    net.node(1).raw.transferLeader(id(3));
    net.send(net.node(1).drain());
    expect(net.leader()).toBe(1);
    expect(net.node(1).status().leadTransferee).toBe(0);
  });

  it("§3.10 a new transfer request to another node replaces the one under way", () => {
    const net = clusterLedBy1();
    net.isolate(3);
    net.node(1).raw.transferLeader(id(3));
    net.node(1).raw.transferLeader(id(2));
    net.send(net.node(1).drain());
    expect(net.leader()).toBe(2);
  });

  it("§3.10 the transferee's election overrides the followers' leader lease (CheckQuorum on)", () => {
    const net = clusterLedBy1(LIVE);
    net.node(1).raw.transferLeader(id(2));
    net.send(net.node(1).drain());
    expect(net.leader()).toBe(2);
  });

  it("§3.10 a follower forwards a transfer request to the leader without changing the transferee", () => {
    const net = clusterLedBy1();
    net.node(2).raw.transferLeader(id(3));
    net.send(net.node(2).drain());
    expect(net.leader()).toBe(3);
  });
});

describe("§6.2 CheckQuorum and the leader lease", () => {
  it("§6.2 a leader that hears from no majority for an election timeout steps down", () => {
    const net = clusterLedBy1(LIVE);
    net.isolate(1);
    net.tick(9, 1);
    expect(net.node(1).status().role).toBe("leader");
    net.tick(11, 1); // at most two check rounds: activity recorded before isolation may count once
    expect(net.node(1).status()).toMatchObject({ role: "follower", lead: 0 });
  });

  it("§6.2 a leader that hears from a majority stays leader indefinitely", () => {
    const net = clusterLedBy1(LIVE);
    net.isolate(3);
    net.tick(50, 1);
    expect(net.node(1).status().role).toBe("leader");
  });

  it("§6.2 without CheckQuorum a cut-off leader never notices", () => {
    const net = clusterLedBy1();
    net.isolate(1);
    net.tick(50, 1);
    expect(net.node(1).status().role).toBe("leader");
  });

  it("§4.2.3/§6.2 a follower that heard from its leader within the election timeout ignores a higher-term vote", () => {
    const n = new TestNode({ id: 1, voters: V3, term: 1, config: LIVE });
    n.step(reply("MsgHeartbeat", 2, 1, 1));
    const ignored = n.step(reply("MsgVote", 3, 1, 2, { index: 9, logTerm: 1 }));
    expect(ignored).toEqual([]);
    expect(n.status()).toMatchObject({ term: 1, lead: 2, vote: 0 });
    // Once the lease has run out, the same request is heard.
    for (let i = 0; i < 10; i++) n.raw.tick();
    n.drain();
    const heard = n.step(reply("MsgVote", 3, 1, 2, { index: 9, logTerm: 1 }));
    expect(heard).toEqual([reply("MsgVoteResp", 1, 3, 2)]);
  });

  it("§6.2 a node answers a stale-term append so that the stale leader learns the newer term and steps down", () => {
    const n = new TestNode({ id: 2, voters: V3, term: 3, config: LIVE });
    const out = n.step(reply("MsgApp", 1, 2, 2, { index: 0, logTerm: 0 }));
    expect(out).toEqual([reply("MsgAppResp", 2, 1, 3)]);

    const stale = new TestNode({ id: 1, voters: V3, config: LIVE });
    electLeader(stale, V3);
    stale.step(out[0]!);
    expect(stale.status()).toMatchObject({ role: "follower", term: 3 });
  });
});

describe("§9.6 PreVote", () => {
  it("§9.6 a pre-candidate keeps its term and vote and asks for pre-votes for term+1", () => {
    const n = new TestNode({ id: 1, voters: V3, log: [1, 1], term: 1, config: LIVE });
    const out = n.campaign();
    expect(n.status()).toMatchObject({ role: "preCandidate", term: 1, vote: 0 });
    const pre = ofType(out, "MsgPreVote");
    expect(pre.map((m) => m.to)).toEqual([2, 3]);
    for (const m of pre) expect(m).toMatchObject({ term: 2, index: 2, logTerm: 1 });
  });

  it("§9.6 a pre-vote is granted without changing the voter's term or vote", () => {
    const n = new TestNode({ id: 1, voters: V3, term: 1, vote: 2, config: LIVE });
    const out = n.step(reply("MsgPreVote", 3, 1, 2, { index: 0, logTerm: 0 }));
    expect(out).toEqual([reply("MsgPreVoteResp", 1, 3, 2)]);
    expect(n.status()).toMatchObject({ term: 1, vote: 2 });
  });

  it("§9.6 a pre-vote for a less up-to-date log is rejected, again without a term change", () => {
    const n = new TestNode({ id: 1, voters: V3, log: [1, 2], term: 2, config: LIVE });
    const out = n.step(reply("MsgPreVote", 3, 1, 3, { index: 5, logTerm: 1 }));
    expect(out).toEqual([reply("MsgPreVoteResp", 1, 3, 2, { reject: true })]);
    expect(n.status().term).toBe(2);
  });

  it("§9.6 a pre-candidate that wins the pre-election starts a real election at term+1", () => {
    const n = new TestNode({ id: 1, voters: V3, term: 1, config: LIVE });
    n.campaign();
    const out = n.step(reply("MsgPreVoteResp", 2, 1, 2));
    expect(n.status()).toMatchObject({ role: "candidate", term: 2, vote: 1 });
    expect(ofType(out, "MsgVote").map((m) => [m.to, m.term])).toEqual([
      [2, 2],
      [3, 2],
    ]);
  });

  it("§9.6 a pre-candidate rejected by a majority returns to follower at its own term", () => {
    const n = new TestNode({ id: 1, voters: V3, term: 1, config: LIVE });
    n.campaign();
    n.step(reply("MsgPreVoteResp", 2, 1, 1, { reject: true }));
    n.step(reply("MsgPreVoteResp", 3, 1, 1, { reject: true }));
    expect(n.status()).toMatchObject({ role: "follower", term: 1 });
  });

  it("§9.6 a pre-candidate that hears from a leader of its term becomes its follower", () => {
    const n = new TestNode({ id: 1, voters: V3, term: 1, config: LIVE });
    n.campaign();
    n.step(reply("MsgApp", 2, 1, 1));
    expect(n.status()).toMatchObject({ role: "follower", term: 1, lead: 2 });
  });

  it("§9.6 a node of a higher term rejects a pre-vote with its term, so the pre-candidate catches up", () => {
    const n = new TestNode({ id: 2, voters: V3, term: 5, config: LIVE });
    const out = n.step(reply("MsgPreVote", 1, 2, 3, { index: 0, logTerm: 0 }));
    expect(out).toEqual([reply("MsgPreVoteResp", 2, 1, 5, { reject: true })]);
    const pc = new TestNode({ id: 1, voters: V3, term: 2, config: LIVE });
    pc.campaign();
    pc.step(out[0]!);
    expect(pc.status()).toMatchObject({ role: "follower", term: 5 });
  });

  it("§9.6 a partitioned node does not raise its term, and rejoining does not disrupt the leader", () => {
    const net = clusterLedBy1(LIVE);
    const term = net.node(1).status().term;
    net.isolate(3);
    net.tick(100, 3);
    expect(net.node(3).status().term).toBe(term);
    net.heal();
    net.tick(30);
    expect(net.leader()).toBe(1);
    for (const i of V3) expect(net.node(i).status().term).toBe(term);
  });

  it("§9.6 without PreVote the same partition forces a new election on rejoin", () => {
    const net = clusterLedBy1({ preVote: false, checkQuorum: true });
    const term = net.node(1).status().term;
    net.isolate(3);
    net.tick(100, 3);
    expect(net.node(3).status().term).toBeGreaterThan(term);
    net.heal();
    net.tick(30);
    expect(net.node(1).status().term).toBeGreaterThan(term);
  });
});
