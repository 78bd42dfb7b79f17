import { describe, expect, it } from "vitest";
import { type Message, msg, type NodeId, nodeId } from "../../libs/raft/index.js";
import { type DropReason, type Envelope, SimNetwork } from "./network.js";
import { SimRng } from "./sim-rng.js";

const A = nodeId(1);
const B = nodeId(2);
const C = nodeId(3);

function m(from: NodeId, to: NodeId, index = 0): Message {
  return msg({ type: "MsgHeartbeat", from, to, index });
}

/** Runs the network for `steps` steps and returns what arrived, in arrival order. */
function drain(net: SimNetwork, from: number, steps: number): Envelope[] {
  const out: Envelope[] = [];
  for (let s = from; s < from + steps; s++) out.push(...net.takeDue(s));
  return out;
}

describe("simulated network", () => {
  it("delivers every message within the delay bounds when healthy", () => {
    const net = new SimNetwork(new SimRng(1), 1000);
    for (let i = 0; i < 50; i++) net.send(0, m(A, B, i), 1);
    expect(net.takeDue(0)).toEqual([]);
    const got = drain(net, 1, 2);
    expect(got).toHaveLength(50);
    expect(net.pending).toBe(0);
  });

  it("drops everything at a loss rate of 1 and reports why", () => {
    const drops: DropReason[] = [];
    const net = new SimNetwork(new SimRng(2), 1000, (_e, why) => drops.push(why));
    net.policy.dropRate = 1;
    for (let i = 0; i < 10; i++) net.send(0, m(A, B, i), 1);
    expect(drain(net, 0, 10)).toEqual([]);
    expect(drops).toEqual(Array(10).fill("loss"));
  });

  it("cuts one direction only in an asymmetric partition", () => {
    const net = new SimNetwork(new SimRng(3), 1000);
    net.cutLink(A, B);
    net.send(0, m(A, B), 1);
    net.send(0, m(B, A), 1);
    const got = drain(net, 0, 5).map((e) => `${e.msg.from}>${e.msg.to}`);
    expect(got).toEqual(["2>1"]);
  });

  it("cuts both directions in a symmetric partition, and heals", () => {
    const net = new SimNetwork(new SimRng(4), 1000);
    net.partition([A], [B, C], true);
    for (const [f, t] of [
      [A, B],
      [B, A],
      [A, C],
      [C, A],
      [B, C],
    ] as const)
      net.send(0, m(f, t), 1);
    expect(drain(net, 0, 5).map((e) => `${e.msg.from}>${e.msg.to}`)).toEqual(["2>3"]);
    net.heal();
    net.send(10, m(A, B), 1);
    expect(drain(net, 10, 5)).toHaveLength(1);
  });

  it("loses messages already in flight when a partition starts", () => {
    const net = new SimNetwork(new SimRng(5), 1000);
    net.send(0, m(A, B), 1);
    net.cutLink(A, B);
    expect(drain(net, 0, 5)).toEqual([]);
  });

  it("duplicates messages at a duplicate rate of 1", () => {
    const net = new SimNetwork(new SimRng(6), 1000);
    net.policy.duplicateRate = 1;
    for (let i = 0; i < 5; i++) net.send(0, m(A, B, i), 1);
    expect(drain(net, 0, 5)).toHaveLength(10);
    expect(net.stats.duplicated).toBe(5);
  });

  it("reorders messages when delays vary", () => {
    const net = new SimNetwork(new SimRng(7), 1000);
    net.policy.delayMaxSteps = 8;
    for (let i = 0; i < 40; i++) net.send(i, m(A, B, i), 1);
    const order = drain(net, 0, 60).map((e) => e.msg.index);
    expect(order).toHaveLength(40);
    expect(order).not.toEqual([...order].sort((x, y) => x - y));
  });

  it("bounds the messages in flight", () => {
    const drops: DropReason[] = [];
    const net = new SimNetwork(new SimRng(8), 3, (_e, why) => drops.push(why));
    for (let i = 0; i < 5; i++) net.send(0, m(A, B, i), 1);
    expect(net.pending).toBe(3);
    expect(drops).toEqual(["overflow", "overflow"]);
  });

  it("is deterministic for one seed", () => {
    const run = (): number[] => {
      const net = new SimNetwork(new SimRng(9), 1000);
      net.policy = { ...net.policy, dropRate: 0.3, duplicateRate: 0.2, delayMaxSteps: 6 };
      for (let i = 0; i < 100; i++) net.send(i, m(A, B, i), 1);
      return drain(net, 0, 120).map((e) => e.msg.index);
    };
    expect(run()).toEqual(run());
  });
});
