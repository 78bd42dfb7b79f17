import { describe, expect, it } from "vitest";
import { MemCluster } from "./mem-cluster.js";

const enc = (s: string) => new TextEncoder().encode(s);

describe("a three-node cluster on a reliable network", () => {
  it("elects one leader and replicates a proposal to every node", () => {
    const c = new MemCluster(3);
    c.node(1).campaign();
    c.stabilize();
    expect(c.leader()).toBe(1);
    expect(c.node(1).propose(enc("a"))).toEqual({ ok: true });
    c.stabilize();
    for (const id of [1, 2, 3]) expect(c.appliedData(id)).toEqual(["a"]);
  });

  it("elects a leader by itself when ticked", () => {
    const c = new MemCluster(3);
    c.tickAll(30);
    expect(c.leader()).toBeDefined();
    const terms = [1, 2, 3].map((id) => c.node(id).status().term);
    expect(new Set(terms).size).toBe(1);
  });

  it("forwards a follower's proposal to the leader", () => {
    const c = new MemCluster(3);
    c.node(1).campaign();
    c.stabilize();
    expect(c.node(2).propose(enc("via-2"))).toEqual({ ok: true });
    c.stabilize();
    expect(c.appliedData(3)).toEqual(["via-2"]);
  });
});
