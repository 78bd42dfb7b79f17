import { describe, expect, it } from "vitest";
import { encodeCommand, MvccStore, utf8 } from "../../../libs/mvcc/index.js";
import { clusterIdFromToken, memberIdOf, peerAddress } from "./ids.js";
import { ATTRIBUTES_TAG, encodeAttributes } from "./member-attributes.js";
import { MasterSnapshotError, MasterStateMachine } from "./state-machine.js";

const put = (k: string, v: string): Uint8Array =>
  encodeCommand({ type: "put", put: { key: utf8(k), value: utf8(v) } });
const m2 = { id: 7, name: "m2", clientUrl: "http://127.0.0.1:2379", httpUrl: "http://127.0.0.1:8080" };

describe("MasterStateMachine", () => {
  it("applies MVCC commands to the store and attribute entries to the table, one index each", () => {
    const sm = new MasterStateMachine(new MvccStore());
    expect(sm.apply({ index: 1, term: 1, data: put("a", "1") })).toMatchObject({ kind: "applied" });
    expect(sm.apply({ index: 2, term: 1, data: encodeAttributes(m2) })).toEqual({
      kind: "attributes",
      index: 2,
    });
    sm.markApplied(3);
    expect(sm.appliedIndex()).toBe(3);
    expect(sm.attributes.get(7)).toEqual(m2);
    expect(sm.attributes.byName("m2")?.id).toBe(7);
    expect(sm.store.currentRevision).toBe(2);
  });

  it("skips a malformed attribute entry deterministically (applied, table unchanged)", () => {
    const sm = new MasterStateMachine(new MvccStore());
    const bad = new Uint8Array([ATTRIBUTES_TAG, 0x7b, 0x7d]);
    expect(sm.apply({ index: 1, term: 1, data: bad })).toEqual({ kind: "attributes", index: 1 });
    expect(sm.attributes.list()).toEqual([]);
    expect(sm.appliedIndex()).toBe(1);
  });

  it("a snapshot restores the store, the attributes and the applied index on another member", () => {
    const a = new MasterStateMachine(new MvccStore());
    a.apply({ index: 1, term: 1, data: put("k", "v") });
    a.apply({ index: 2, term: 1, data: encodeAttributes(m2) });
    const b = new MasterStateMachine(new MvccStore());
    b.restore(Buffer.concat([...a.snapshot()]));
    expect(b.appliedIndex()).toBe(2);
    expect(b.attributes.list()).toEqual([m2]);
    expect(b.store.hashKv(0)).toEqual(a.store.hashKv(0));
  });

  it("refuses bytes that are not its snapshot and keeps its state", () => {
    const sm = new MasterStateMachine(new MvccStore());
    sm.apply({ index: 1, term: 1, data: put("k", "v") });
    expect(() => sm.restore(new Uint8Array([1, 2, 3]))).toThrow(MasterSnapshotError);
    expect(sm.appliedIndex()).toBe(1);
  });
});

describe("ids", () => {
  it("are 52-bit, deterministic, and differ by token and peer address", () => {
    const id = memberIdOf("t", "127.0.0.1:2380");
    expect(id).toBe(memberIdOf("t", "127.0.0.1:2380"));
    expect(id).toBeLessThan(2 ** 52);
    expect(id).toBeGreaterThan(0);
    expect(memberIdOf("t", "127.0.0.1:2381")).not.toBe(id);
    expect(memberIdOf("u", "127.0.0.1:2380")).not.toBe(id);
    expect(clusterIdFromToken("t")).toMatch(/^\d{1,16}$/);
  });

  it("derive from the peer address, however the URL is spelled", () => {
    expect(peerAddress("http://127.0.0.1:2380")).toBe("127.0.0.1:2380");
    expect(peerAddress("http://127.0.0.1:2380/")).toBe("127.0.0.1:2380");
    expect(peerAddress("http://[::1]:2380")).toBe("[::1]:2380");
  });
});
