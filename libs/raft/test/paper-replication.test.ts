import { describe, expect, it } from "vitest";
import type { Entry } from "../types.js";
import {
  acceptAndReply,
  ackAll,
  dec,
  electLeader,
  enc,
  entriesAt,
  Network,
  ofType,
  reply,
  TestNode,
} from "./harness.js";

/**
 * The Raft paper §5.3 (log replication) and §5.4.2 (committing entries from previous terms),
 * plus the thesis's fast backtracking (§5.3 optimization / etcd's TestFastLogRejection).
 */

const V3 = [1, 2, 3];
const noData = (e: Entry) => ({ term: e.term, index: e.index, data: dec(e.data) });

/** A leader of a three-node cluster at term 1 whose no-op (index 1) is committed. */
function leaderWithCommittedNoop(voters: readonly number[] = V3): TestNode {
  const n = new TestNode({ id: 1, voters });
  ackAll(n, electLeader(n, voters));
  expect(n.status()).toMatchObject({ role: "leader", commit: 1 });
  return n;
}

describe("§5.3 log replication", () => {
  it("§5.3 leader appends entries and sends them to followers with the preceding index and term", () => {
    const n = leaderWithCommittedNoop();
    const li = n.status().lastIndex;
    expect(n.raw.propose(enc("some data"))).toEqual({ ok: true });
    const out = n.drain();
    expect(n.status()).toMatchObject({ lastIndex: li + 1, commit: li });
    const apps = ofType(out, "MsgApp");
    expect(apps.map((m) => m.to)).toEqual([2, 3]);
    for (const m of apps) {
      expect(m).toMatchObject({ from: 1, term: 1, index: li, logTerm: 1, commit: li });
      expect(m.entries.map(noData)).toEqual([{ term: 1, index: li + 1, data: "some data" }]);
    }
    // ... and writes it to stable storage before acknowledging it itself.
    const rd = n.readies[n.readies.length - 1]!;
    expect(rd.entries.map(noData)).toEqual([{ term: 1, index: li + 1, data: "some data" }]);
    expect(rd.mustSync).toBe(true);
  });

  it("§5.3 leader commits an entry replicated on a majority, applies it, and tells followers the commit index", () => {
    const n = leaderWithCommittedNoop();
    const li = n.status().lastIndex;
    n.raw.propose(enc("some data"));
    const out = ackAll(n, n.drain());
    expect(n.status().commit).toBe(li + 1);
    expect(n.appliedData()).toEqual(["some data"]);
    const apps = ofType(out, "MsgApp");
    expect(apps.map((m) => m.to)).toEqual([2, 3]);
    for (const m of apps) expect(m.commit).toBe(li + 1);
  });

  it.each([
    { size: 1, acceptors: [], committed: true },
    { size: 3, acceptors: [], committed: false },
    { size: 3, acceptors: [2], committed: true },
    { size: 3, acceptors: [2, 3], committed: true },
    { size: 5, acceptors: [], committed: false },
    { size: 5, acceptors: [2], committed: false },
    { size: 5, acceptors: [2, 3], committed: true },
    { size: 5, acceptors: [2, 3, 4], committed: true },
    { size: 5, acceptors: [2, 3, 4, 5], committed: true },
  ])(
    "§5.3 an entry of a $size-node cluster acknowledged by $acceptors (and the leader) is committed: $committed",
    (tc) => {
      const voters = Array.from({ length: tc.size }, (_, i) => i + 1);
      const n = leaderWithCommittedNoop(voters);
      const li = n.status().lastIndex;
      n.raw.propose(enc("x"));
      for (const m of ofType(n.drain(), "MsgApp")) {
        if ((tc.acceptors as readonly number[]).includes(m.to)) n.step(acceptAndReply(m));
      }
      expect(n.status().commit > li).toBe(tc.committed);
    },
  );

  it.each([[[]], [[2]], [[1, 2]], [[1]]])(
    "§5.4.2 committing an entry of the current term commits all earlier entries (prior log terms %j)",
    (log) => {
      const n = new TestNode({ id: 1, voters: V3, log, term: 2 });
      const probes = electLeader(n, V3);
      expect(n.applied).toEqual([]); // nothing is committed before a majority holds the no-op
      ackAll(n, probes);
      n.raw.propose(enc("some data"));
      ackAll(n, n.drain());
      const li = log.length;
      expect(n.applied.map(noData)).toEqual([
        ...log.map((t, i) => ({ term: t, index: i + 1, data: "" })),
        { term: 3, index: li + 1, data: "" },
        { term: 3, index: li + 2, data: "some data" },
      ]);
    },
  );

  it.each([
    { data: ["a"], commit: 1 },
    { data: ["a", "b"], commit: 2 },
    { data: ["b", "a"], commit: 2 },
    { data: ["a", "b"], commit: 1 },
  ])(
    "§5.3 a follower applies entries, in log order, once it learns they are committed ($data, commit $commit)",
    (tc) => {
      const n = new TestNode({ id: 1, voters: V3, term: 1 });
      const entries = tc.data.map((d, i) => ({
        term: 1,
        index: i + 1,
        type: "normal" as const,
        data: enc(d),
      }));
      n.step(reply("MsgApp", 2, 1, 1, { entries, commit: tc.commit }));
      expect(n.status().commit).toBe(tc.commit);
      expect(n.appliedData()).toEqual(tc.data.slice(0, tc.commit));
    },
  );

  // Follower log: (1,1) (2,2), commit 1.
  it.each([
    // matches a committed entry
    { logTerm: 0, index: 0, resp: { index: 1, reject: false, rejectHint: 0, logTerm: 0 } },
    { logTerm: 1, index: 1, resp: { index: 1, reject: false, rejectHint: 0, logTerm: 0 } },
    // matches an uncommitted entry
    { logTerm: 2, index: 2, resp: { index: 2, reject: false, rejectHint: 0, logTerm: 0 } },
    // the entry exists with another term
    { logTerm: 1, index: 2, resp: { index: 2, reject: true, rejectHint: 1, logTerm: 1 } },
    // the entry does not exist
    { logTerm: 3, index: 3, resp: { index: 3, reject: true, rejectHint: 2, logTerm: 2 } },
  ])(
    "§5.3 follower rejects MsgApp that does not match prev index/term (prev $index/$logTerm)",
    ({ logTerm, index, resp }) => {
      const n = new TestNode({ id: 1, voters: V3, log: [1, 2], term: 2, commit: 1 });
      const out = n.step(reply("MsgApp", 2, 1, 2, { logTerm, index }));
      expect(out).toEqual([reply("MsgAppResp", 1, 2, 2, resp)]);
    },
  );

  // Follower log: (1,1) (2,2).
  it.each([
    { index: 2, logTerm: 2, ents: entriesAt(3, [3]), want: [1, 2, 3], unstable: [3] },
    { index: 1, logTerm: 1, ents: entriesAt(2, [3, 4]), want: [1, 3, 4], unstable: [3, 4] },
    { index: 0, logTerm: 0, ents: entriesAt(1, [1]), want: [1, 2], unstable: [] },
    { index: 0, logTerm: 0, ents: entriesAt(1, [3]), want: [3], unstable: [3] },
  ])(
    "§5.3 follower deletes conflicting entries and appends new ones (prev $index/$logTerm → $want)",
    ({ index, logTerm, ents, want, unstable }) => {
      const n = new TestNode({ id: 1, voters: V3, log: [1, 2], term: 2 });
      n.step(reply("MsgApp", 2, 1, 2, { index, logTerm, entries: ents }));
      expect(n.logTerms()).toEqual(want);
      // Only the new or replaced entries are written to stable storage.
      const written = n.readies.flatMap((rd) => rd.entries.map((e) => e.term));
      expect(written).toEqual(unstable);
    },
  );

  // Figure 7: the leader at term 8 and followers (a)-(f).
  const LEADER_LOG = [1, 1, 1, 4, 4, 5, 5, 6, 6, 6];
  it.each([
    ["a", [1, 1, 1, 4, 4, 5, 5, 6, 6]],
    ["b", [1, 1, 1, 4]],
    ["c", [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6]],
    ["d", [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7]],
    ["e", [1, 1, 1, 4, 4, 4, 4]],
    ["f", [1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3]],
  ])("§5.3 leader forces followers' logs to match its own (Figure 7, follower %s)", (_, followerLog) => {
    const lead = new TestNode({ id: 1, voters: V3, log: LEADER_LOG, term: 8, commit: LEADER_LOG.length });
    const follower = new TestNode({ id: 2, voters: V3, log: followerLog, term: 7 });
    // Node 3 is silent except for its vote: a follower with a longer log may refuse ours.
    const net = new Network([lead, follower]);
    net.campaign(1);
    net.send([reply("MsgVoteResp", 3, 1, 9)]);
    expect(lead.status().role).toBe("leader");
    net.propose(1, "x");
    expect(follower.logTerms()).toEqual(lead.logTerms());
    expect(follower.logTerms()).toEqual([...LEADER_LOG, 9, 9]);
  });

  it("§5.3 a heartbeat carries the leader's commit index, capped at what the follower is known to hold", () => {
    const n = leaderWithCommittedNoop();
    n.raw.propose(enc("x"));
    const apps = ofType(n.drain(), "MsgApp");
    n.step(acceptAndReply(apps[0]!)); // only node 2 acknowledges index 2
    expect(n.status().commit).toBe(2);
    const beats = ofType(n.tick(), "MsgHeartbeat");
    expect(beats.map((m) => [m.to, m.commit])).toEqual([
      [2, 2],
      [3, 1],
    ]);
  });

  it("§5.3 a follower learns the commit index from a heartbeat and applies what it holds", () => {
    const n = new TestNode({ id: 1, voters: V3, log: [1, 1, 1], term: 1 });
    const out = n.step(reply("MsgHeartbeat", 2, 1, 1, { commit: 2 }));
    expect(n.status()).toMatchObject({ commit: 2, lead: 2 });
    expect(n.applied.map((e) => e.index)).toEqual([1, 2]);
    expect(out).toEqual([reply("MsgHeartbeatResp", 1, 2, 1)]);
  });
});

describe("§5.4.2 committing entries from previous terms", () => {
  // Leader log (1,1) (2,2), becomes leader at term 3 and appends (3,3) no-op and (3,4).
  it.each([
    { acked: 1, commit: 0 },
    { acked: 2, commit: 0 },
    { acked: 3, commit: 3 },
    { acked: 4, commit: 4 },
  ])(
    "§5.4.2 leader only commits entries of its current term by counting replicas (Figure 8; ack of $acked → commit $commit)",
    ({ acked, commit }) => {
      const n = new TestNode({ id: 1, voters: [1, 2], log: [1, 2], term: 2 });
      electLeader(n, [1, 2]);
      n.raw.propose(enc("x"));
      n.drain();
      n.step(reply("MsgAppResp", 2, 1, 3, { index: acked }));
      expect(n.status().commit).toBe(commit);
    },
  );

  it("§5.4.2 Figure 8: an old-term entry stored on a majority is not committed, because it can still be overwritten", () => {
    // (a)-(c) of Figure 8: S1 wrote (2,2) at term 2 and reached S2 and S3; S5 holds (3,2).
    const voters = [1, 2, 3, 4, 5];
    const logs = [[1, 2], [1, 2], [1, 2], [1], [1, 3]];
    const net = new Network(logs.map((log, i) => new TestNode({ id: i + 1, voters, log, term: 3 })));
    net.isolate(4);
    net.isolate(5);
    net.dropTypes.add("MsgApp"); // S1's new-term entries reach nobody
    net.campaign(1);
    expect(net.node(1).status()).toMatchObject({ role: "leader", term: 4 });
    // S2 and S3 report that they hold (2,2): it is on a majority, yet S1 must not commit it.
    for (const f of [2, 3]) net.node(1).step(reply("MsgAppResp", f, 1, 4, { index: 2 }));
    expect(net.node(1).status().commit).toBe(0);

    // (d): S1 crashes; S5 (last term 3) is elected by S2, S3, S4 and overwrites index 2.
    net.heal();
    net.isolate(1);
    net.campaign(5);
    if (net.node(5).status().role !== "leader") net.campaign(5);
    expect(net.node(5).status()).toMatchObject({ role: "leader", term: 5 });
    for (const f of [2, 3, 4]) expect(net.node(f).logTerms()).toEqual([1, 3, 5]);
  });

  it("§5.4.2 the new leader's no-op commits the earlier term's entries with it", () => {
    const net = Network.of(3, { log: [1, 2], term: 2 });
    net.campaign(1);
    for (const f of [1, 2, 3]) {
      expect(net.node(f).status().commit).toBe(3);
      expect(net.node(f).applied.map((e) => e.term)).toEqual([1, 2, 3]);
    }
  });
});

describe("§5.3 fast backtracking (thesis §5.3, etcd TestFastLogRejection)", () => {
  it.each([
    // The leader finds the conflict quickly.
    {
      leader: [1, 2, 2, 4, 4, 4, 4],
      follower: [1, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3],
      hint: [7, 3],
      next: [3, 2],
    },
    {
      leader: [1, 2, 2, 3, 4, 4, 4, 5],
      follower: [1, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3],
      hint: [8, 3],
      next: [4, 3],
    },
    // The follower finds it quickly.
    { leader: [1, 1, 1, 1], follower: [1, 2, 2, 4], hint: [1, 1], next: [1, 1] },
    { leader: [1, 1, 1, 1, 1, 1], follower: [1, 2, 2, 4], hint: [1, 1], next: [1, 1] },
    { leader: [1, 1, 1, 1], follower: [1, 2, 2, 4, 4, 4], hint: [1, 1], next: [1, 1] },
    // No conflict, the follower is just behind.
    { leader: [1, 1, 1, 4, 5], follower: [1, 1, 1, 4], hint: [4, 4], next: [4, 4] },
    { leader: [2, 5, 5, 5, 5, 5, 5, 5, 5], follower: [2, 4, 4, 4, 4, 4], hint: [6, 4], next: [1, 2] },
    { leader: [2, 2, 2, 2, 2], follower: [2, 4, 4, 4, 4, 4, 4, 4], hint: [1, 2], next: [1, 2] },
  ])(
    "§5.3/§3.5 fast backtracking: follower $follower hints $hint (index, term), leader $leader retries at $next",
    (tc) => {
      const lead = new TestNode({ id: 1, voters: [1, 2, 3], log: tc.leader, term: 9 });
      const follower = new TestNode({ id: 2, voters: [1, 2, 3], log: tc.follower, term: 9 });
      const first = ofType(electLeader(lead, [1, 2, 3]), "MsgApp").find((m) => m.to === 2)!;
      const last = tc.leader.length;
      expect(first).toMatchObject({ index: last, logTerm: tc.leader[last - 1] });

      const rej = ofType(follower.step(first), "MsgAppResp")[0]!;
      expect(rej).toMatchObject({ reject: true, rejectHint: tc.hint[0], logTerm: tc.hint[1] });

      const retry = ofType(lead.step(rej), "MsgApp").find((m) => m.to === 2)!;
      expect([retry.index, retry.logTerm]).toEqual(tc.next);
      // And the retry lands: the follower accepts it.
      expect(ofType(follower.step(retry), "MsgAppResp")[0]).toMatchObject({ reject: false });
    },
  );
});
