import { describe, expect, it } from "vitest";
import type { Role } from "../types.js";
import { electLeader, id, ofType, reply, TestNode } from "./harness.js";

/**
 * The Raft paper (Ongaro & Ousterhout, 2014), §5.1, §5.2 and §5.4.1: terms and leader
 * election, after etcd raft's raft_paper_test.go. PreVote and CheckQuorum are off here (the
 * paper's algorithm); thesis-*.test.ts checks them.
 */

const V3 = [1, 2, 3];

/** Node 1 of a three-node cluster, put in `role` at term 1. */
function nodeIn(role: Role): TestNode {
  const n = new TestNode({ id: 1, voters: V3, term: role === "follower" ? 1 : 0 });
  if (role === "candidate") n.campaign();
  if (role === "leader") electLeader(n, V3);
  expect(n.status()).toMatchObject({ role, term: 1 });
  return n;
}

describe("§5.1 terms", () => {
  it.each([
    ["follower", "MsgApp", 2],
    ["candidate", "MsgApp", 2],
    ["leader", "MsgApp", 2],
    ["follower", "MsgHeartbeat", 2],
    ["candidate", "MsgHeartbeat", 2],
    ["leader", "MsgHeartbeat", 2],
    ["follower", "MsgVote", 0],
    ["candidate", "MsgVote", 0],
    ["leader", "MsgVote", 0],
  ] as const)(
    "§5.1 a %s that receives a %s with a higher term updates its term and becomes follower",
    (role, type, lead) => {
      const n = nodeIn(role);
      n.step(reply(type, 2, 1, 2));
      expect(n.status()).toMatchObject({ term: 2, role: "follower", lead });
    },
  );

  it("§5.1 a server ignores a request that carries a stale term", () => {
    const n = new TestNode({ id: 1, voters: V3, log: [1, 2], term: 2 });
    const out = n.step(
      reply("MsgApp", 2, 1, 1, {
        index: 2,
        logTerm: 2,
        entries: [{ term: 1, index: 3, type: "normal", data: new Uint8Array(0) }],
      }),
    );
    expect(out).toEqual([]);
    expect(n.logTerms()).toEqual([1, 2]);
    expect(n.status()).toMatchObject({ term: 2, lead: 0 });
  });

  it("§5.1 a stale vote request is not granted and does not change the term", () => {
    const n = new TestNode({ id: 1, voters: V3, term: 3 });
    const out = n.step(reply("MsgVote", 2, 1, 2, { index: 5, logTerm: 2 }));
    expect(ofType(out, "MsgVoteResp").filter((m) => !m.reject)).toEqual([]);
    expect(n.status()).toMatchObject({ term: 3, vote: 0 });
  });
});

describe("§5.2 leader election", () => {
  it("§5.2 servers start up as followers", () => {
    const n = new TestNode({ id: 1, voters: V3 });
    expect(n.status()).toMatchObject({ role: "follower", lead: 0, term: 0 });
  });

  it("§5.2 the leader sends empty heartbeats to every follower each heartbeat interval", () => {
    const n = nodeIn("leader");
    const out = n.tick(1);
    const beats = ofType(out, "MsgHeartbeat");
    expect(beats.map((m) => m.to)).toEqual([2, 3]);
    for (const m of beats)
      expect(m).toMatchObject({ from: 1, term: 1, index: 0, logTerm: 0, entries: [], commit: 0 });
  });

  it.each(["follower", "candidate"] as const)(
    "§5.2 a %s that hears nothing for an election timeout starts an election: term+1, votes for itself, asks everyone",
    (role) => {
      const n = nodeIn(role);
      const out = n.tick(2 * 10 - 1);
      expect(n.status()).toMatchObject({ role: "candidate", term: 2, vote: 1 });
      const votes = ofType(out, "MsgVote").filter((m) => m.term === 2);
      expect(votes.map((m) => m.to)).toEqual([2, 3]);
      for (const m of votes) expect(m).toMatchObject({ from: 1, index: 0, logTerm: 0 });
    },
  );

  // a) wins with a majority, b) loses to a majority of denials, c) no decision yet.
  it.each([
    { size: 1, votes: {}, role: "leader" },
    { size: 3, votes: { 2: true, 3: true }, role: "leader" },
    { size: 3, votes: { 2: true }, role: "leader" },
    { size: 5, votes: { 2: true, 3: true, 4: true, 5: true }, role: "leader" },
    { size: 5, votes: { 2: true, 3: true, 4: true }, role: "leader" },
    { size: 5, votes: { 2: true, 3: true }, role: "leader" },
    { size: 3, votes: { 2: false, 3: false }, role: "follower" },
    { size: 5, votes: { 2: false, 3: false, 4: false, 5: false }, role: "follower" },
    { size: 5, votes: { 2: true, 3: false, 4: false, 5: false }, role: "follower" },
    { size: 3, votes: {}, role: "candidate" },
    { size: 5, votes: { 2: true }, role: "candidate" },
    { size: 5, votes: { 2: false, 3: false }, role: "candidate" },
    { size: 5, votes: {}, role: "candidate" },
  ] as const)(
    "§5.2 a candidate in a $size-node cluster given votes $votes ends up $role",
    ({ size, votes, role }) => {
      const voters = Array.from({ length: size }, (_, i) => i + 1);
      const n = new TestNode({ id: 1, voters });
      n.campaign();
      for (const [from, granted] of Object.entries(votes)) {
        n.step(reply("MsgVoteResp", Number(from), 1, 1, { reject: !granted }));
      }
      expect(n.status()).toMatchObject({ role, term: 1 });
    },
  );

  it("§5.2 a candidate that wins a majority becomes leader and announces itself with an append", () => {
    const n = new TestNode({ id: 1, voters: V3 });
    n.campaign();
    const out = n.step(reply("MsgVoteResp", 2, 1, 1));
    expect(n.status()).toMatchObject({ role: "leader", lead: 1, term: 1 });
    expect(ofType(out, "MsgApp").map((m) => m.to)).toEqual([2, 3]);
  });

  it.each([
    { vote: 0, candidate: 2, reject: false },
    { vote: 0, candidate: 3, reject: false },
    { vote: 2, candidate: 2, reject: false },
    { vote: 3, candidate: 3, reject: false },
    { vote: 2, candidate: 3, reject: true },
    { vote: 3, candidate: 2, reject: true },
  ])("§5.2 each server votes for at most one candidate per term (voted $vote, asked by $candidate)", (tc) => {
    const n = new TestNode({ id: 1, voters: V3, term: 1, vote: tc.vote || undefined });
    const out = n.step(reply("MsgVote", tc.candidate, 1, 1));
    expect(out).toEqual([reply("MsgVoteResp", 1, tc.candidate, 1, { reject: tc.reject })]);
    expect(n.status().vote).toBe(tc.vote || tc.candidate);
  });

  it("§5.2 a server that voted keeps its vote across a restart (the vote is persisted)", () => {
    const n = new TestNode({ id: 1, voters: V3 });
    n.step(reply("MsgVote", 2, 1, 1));
    expect(n.storage.initialState().hardState).toMatchObject({ term: 1, vote: 2 });
  });

  it.each([1, 2])(
    "§5.2 candidate steps down on AppendEntries from a leader of term %i (>= its own)",
    (term) => {
      const n = new TestNode({ id: 1, voters: V3 });
      n.campaign();
      expect(n.status().role).toBe("candidate");
      n.step(reply("MsgApp", 2, 1, term));
      expect(n.status()).toMatchObject({ role: "follower", term, lead: 2 });
    },
  );

  it.each(["follower", "candidate"] as const)(
    "§5.2 split vote: election timeouts are randomized in [et, 2et) (%s)",
    (role) => {
      const et = 10;
      const n = new TestNode({ id: 1, voters: V3, seed: 7 });
      const seen = new Set<number>();
      let term = 0;
      for (let round = 0; round < 50 * et; round++) {
        if (role === "follower") {
          term = n.status().term + 1;
          n.step(reply("MsgHeartbeat", 2, 1, term)); // a fresh leader resets the timer
        }
        let ticks = 0;
        while (ofType(n.tick(), "MsgVote").length === 0) ticks++;
        seen.add(ticks + 1);
      }
      expect(Math.min(...seen)).toBe(et);
      expect(Math.max(...seen)).toBe(2 * et - 1);
      expect(seen.size).toBe(et);
    },
  );

  it("§5.2 split vote: randomized timeouts make simultaneous timeouts rare", () => {
    const voters = [1, 2, 3, 4, 5];
    const nodes = voters.map((i) => new TestNode({ id: i, voters, seed: 100 + i }));
    let conflicts = 0;
    const rounds = 1000;
    for (let round = 1; round <= rounds; round++) {
      // A phantom leader (id 9) at a new term resets every follower's timer.
      for (const n of nodes) n.step(reply("MsgHeartbeat", 9, n.id, round));
      let timedOut = 0;
      while (timedOut === 0) for (const n of nodes) if (ofType(n.tick(), "MsgVote").length > 0) timedOut++;
      if (timedOut > 1) conflicts++;
    }
    expect(conflicts / rounds).toBeLessThanOrEqual(0.3);
  });
});

describe("§5.4.1 election restriction", () => {
  it.each([
    { log: [1], term: 2 },
    { log: [1, 2], term: 3 },
  ])("§5.4.1 a vote request carries the candidate's last log index and term (log $log)", ({ log, term }) => {
    const n = new TestNode({ id: 1, voters: V3, log, term: term - 1 });
    const out = n.tick(2 * 10);
    const votes = ofType(out, "MsgVote");
    expect(votes.map((m) => m.to)).toEqual([2, 3]);
    for (const m of votes) expect(m).toMatchObject({ term, index: log.length, logTerm: log[log.length - 1] });
  });

  it.each([
    // same last term: the longer log wins ties
    { log: [1], logTerm: 1, index: 1, reject: false },
    { log: [1], logTerm: 1, index: 2, reject: false },
    { log: [1, 1], logTerm: 1, index: 1, reject: true },
    // candidate's last term is higher
    { log: [1], logTerm: 2, index: 1, reject: false },
    { log: [1], logTerm: 2, index: 2, reject: false },
    { log: [1, 1], logTerm: 2, index: 1, reject: false },
    // voter's last term is higher
    { log: [2], logTerm: 1, index: 1, reject: true },
    { log: [2], logTerm: 1, index: 2, reject: true },
    { log: [2, 2], logTerm: 1, index: 1, reject: true },
    { log: [1, 1], logTerm: 1, index: 1, reject: true },
  ])(
    "§5.4.1 a voter with log $log rejects a candidate whose log (last $index/$logTerm) is less up to date: $reject",
    ({ log, logTerm, index, reject }) => {
      const n = new TestNode({ id: 1, voters: [1, 2], log });
      const out = n.step(reply("MsgVote", 2, 1, 3, { logTerm, index }));
      expect(out).toHaveLength(1);
      expect(out[0]).toMatchObject({ type: "MsgVoteResp", to: id(2), reject });
    },
  );
});
