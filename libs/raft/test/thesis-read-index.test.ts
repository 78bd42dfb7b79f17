import { describe, expect, it } from "vitest";
import { dec, enc, Network, ofType, TestNode } from "./harness.js";

/**
 * ReadIndex (thesis §6.4): a linearizable read without writing to the log. The leader records
 * its commit index, confirms with a round of heartbeats that it is still leader, and then the
 * read may be served once the state machine has applied that index.
 */

const reads = (n: TestNode) => n.readStates.map((rs) => ({ index: rs.index, context: dec(rs.context) }));

function clusterLedBy1(): Network {
  const net = Network.of(3);
  net.campaign(1);
  expect(net.node(1).status().commit).toBe(1);
  return net;
}

describe("§6.4 ReadIndex", () => {
  it("§6.4 ReadIndex: the leader answers with its commit index once a heartbeat round reaches a majority", () => {
    const net = clusterLedBy1();
    net.propose(1, "x");
    const leader = net.node(1);
    leader.raw.readIndex(enc("r1"));
    const out = leader.drain();
    expect(reads(leader)).toEqual([]); // not before leadership is confirmed
    const beats = ofType(out, "MsgHeartbeat");
    expect(beats.map((m) => [m.to, dec(m.context ?? new Uint8Array(0))])).toEqual([
      [2, "r1"],
      [3, "r1"],
    ]);
    net.send(out);
    expect(reads(leader)).toEqual([{ index: 2, context: "r1" }]);
  });

  it("§6.4 ReadIndex: one acknowledgement besides the leader's own is a majority of three", () => {
    const net = clusterLedBy1();
    net.isolate(3);
    net.node(1).raw.readIndex(enc("r"));
    net.send(net.node(1).drain());
    expect(reads(net.node(1))).toEqual([{ index: 1, context: "r" }]);
  });

  it("§6.4 ReadIndex: a leader cut off from the majority never answers (it may have been deposed)", () => {
    const net = clusterLedBy1();
    net.isolate(1);
    net.node(1).raw.readIndex(enc("r"));
    net.send(net.node(1).drain());
    net.tick(5, 1);
    expect(reads(net.node(1))).toEqual([]);
  });

  it("§6.4 ReadIndex: a new leader answers only after committing an entry of its own term", () => {
    const net = Network.of(3, { log: [1, 1], term: 1, commit: 1 });
    net.dropTypes.add("MsgApp");
    net.campaign(1);
    const leader = net.node(1);
    expect(leader.status()).toMatchObject({ role: "leader", commit: 1 });
    leader.raw.readIndex(enc("early"));
    const held = leader.drain();
    expect(ofType(held, "MsgHeartbeat")).toEqual([]);
    net.send(held);
    expect(reads(leader)).toEqual([]);
    // The no-op commits (with the previous term's entry 2); the read is then served at index 3.
    net.heal();
    net.tick(1, 1);
    expect(leader.status().commit).toBe(3);
    expect(reads(leader)).toEqual([{ index: 3, context: "early" }]);
  });

  it("§6.4 ReadIndex: a follower forwards the read to the leader and gets the leader's commit index", () => {
    const net = clusterLedBy1();
    net.propose(1, "x");
    const follower = net.node(2);
    follower.raw.readIndex(enc("f"));
    net.send(follower.drain());
    expect(reads(follower)).toEqual([{ index: 2, context: "f" }]);
    expect(reads(net.node(1))).toEqual([]);
  });

  it("§6.4 ReadIndex: a follower that knows no leader drops the read", () => {
    const n = new TestNode({ id: 2, voters: [1, 2, 3] });
    n.raw.readIndex(enc("f"));
    expect(n.drain()).toEqual([]);
    expect(n.readStates).toEqual([]);
  });

  it("§6.4 ReadIndex: a single-voter leader answers at once", () => {
    const n = new TestNode({ id: 1, voters: [1] });
    n.campaign();
    n.raw.readIndex(enc("solo"));
    n.drain();
    expect(reads(n)).toEqual([{ index: 1, context: "solo" }]);
  });

  it("§6.4 ReadIndex: an acknowledgement of a later read also confirms every earlier one", () => {
    const net = clusterLedBy1();
    const leader = net.node(1);
    leader.raw.readIndex(enc("a"));
    leader.drain(); // the heartbeats for "a" are lost
    leader.raw.readIndex(enc("b"));
    net.send(leader.drain());
    expect(reads(leader)).toEqual([
      { index: 1, context: "a" },
      { index: 1, context: "b" },
    ]);
  });

  it("§6.4 ReadIndex: a read with an empty context is refused loudly (acks find reads by context)", () => {
    const net = clusterLedBy1();
    expect(() => net.node(1).raw.readIndex(new Uint8Array(0))).toThrow(/non-empty context/);
  });
});
