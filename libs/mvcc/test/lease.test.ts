import { describe, expect, it } from "vitest";
import { type LeaseId, leaseId } from "../index.js";
import { b, TestStore, text } from "./helpers.js";

const L = (n: number): LeaseId => leaseId(n);

function grant(t: TestStore, id: number, ttlSec: number): { id: LeaseId; ttlSec: number } {
  return t.ok({ type: "leaseGrant", leaseGrant: { id: L(id), ttlSec } }).leaseGrant;
}

describe("lease grant and revoke", () => {
  it("grants a chosen id with its TTL, without taking a revision", () => {
    const t = new TestStore();
    const r = t.ok({ type: "leaseGrant", leaseGrant: { id: L(42), ttlSec: 30 } });
    expect(r.leaseGrant).toEqual({ id: 42, ttlSec: 30 });
    expect(r.header.revision).toBe(1);
    expect(t.store.leaseIds()).toEqual([42]);
  });

  it("id 0 gets an id derived from the entry index, the same on every member", () => {
    const a = new TestStore();
    const c = new TestStore();
    for (const t of [a, c]) {
      t.put("x", "1");
      grant(t, 3, 10); // index 2
    }
    const ga = a.store.apply(3, { type: "leaseGrant", leaseGrant: { id: L(0), ttlSec: 10 } });
    const gc = c.store.apply(3, { type: "leaseGrant", leaseGrant: { id: L(0), ttlSec: 10 } });
    expect(ga).toEqual(gc);
    // Index 3 is taken by the chosen id 3, so the derived id probes to the next free one.
    expect(ga.kind === "applied" && ga.response.type === "leaseGrant" && ga.response.leaseGrant.id).toBe(4);
  });

  it("a TTL below the minimum is raised; above etcd's maximum is refused; an existing id is refused", () => {
    const t = new TestStore({ leaseTtlSecMin: 5 });
    expect(grant(t, 1, 2).ttlSec).toBe(5);
    const tooLarge = t.rejected({ type: "leaseGrant", leaseGrant: { id: L(2), ttlSec: 9_000_000_001 } });
    expect(tooLarge.etcdMessage).toBe("etcdserver: too large lease TTL");
    const exists = t.rejected({ type: "leaseGrant", leaseGrant: { id: L(1), ttlSec: 10 } });
    expect(exists.etcdMessage).toBe("etcdserver: lease already exists");
  });

  it("a put with a lease that does not exist fails with lease-not-found", () => {
    const t = new TestStore();
    const err = t.rejected({ type: "put", put: { key: b("k"), value: b("v"), lease: L(77) } });
    expect(err.code).toBe("leaseNotFound");
    expect(err.etcdMessage).toBe("etcdserver: requested lease not found");
  });

  it("revoke deletes every attached key in one revision and forgets the lease", () => {
    const t = new TestStore();
    grant(t, 7, 10);
    t.put("c", "1", { lease: 7 });
    t.put("a", "1", { lease: 7 });
    t.put("b", "1"); // no lease
    const r = t.ok({ type: "leaseRevoke", leaseRevoke: { id: L(7) } });
    expect(r.header.revision).toBe(5);
    expect(t.keys("\0", "\0")).toEqual(["b"]);
    expect(t.store.leaseIds()).toEqual([]);
    expect(t.rejected({ type: "leaseRevoke", leaseRevoke: { id: L(7) } }).code).toBe("leaseNotFound");
  });

  it("a key moved to another lease, or deleted, is no longer revoked with the old one", () => {
    const t = new TestStore();
    grant(t, 1, 10);
    grant(t, 2, 10);
    t.put("moved", "v", { lease: 1 });
    t.put("moved", "v", { lease: 2 });
    t.put("deleted", "v", { lease: 1 });
    t.del("deleted");
    t.put("deleted", "again");
    const r = t.ok({ type: "leaseRevoke", leaseRevoke: { id: L(1) } });
    expect(r.header.revision).toBe(t.store.currentRevision);
    expect(t.keys("\0", "\0")).toEqual(["deleted", "moved"]);
    expect(t.store.lessor.timeToLive(L(2), 0, true)!.keys.map(text)).toEqual(["moved"]);
  });

  it("revoking a lease with no keys takes no revision", () => {
    const t = new TestStore();
    grant(t, 1, 10);
    expect(t.ok({ type: "leaseRevoke", leaseRevoke: { id: L(1) } }).header.revision).toBe(1);
  });
});

describe("lessor (leader-only expiry)", () => {
  it("a follower never expires leases and refuses renewals", () => {
    const t = new TestStore();
    grant(t, 1, 1);
    expect(t.store.lessor.expired(1e12, 10)).toEqual([]);
    expect(t.store.lessor.renew(L(1), 0)).toEqual({ kind: "notLeader" });
  });

  it("promote extends every lease before any expires, so failover causes no mass expiry", () => {
    const t = new TestStore();
    grant(t, 1, 10);
    grant(t, 2, 20);
    const lessor = t.store.lessor;
    lessor.promote(1000, 5000);
    expect(lessor.expired(1000 + 10_000, 10)).toEqual([]);
    expect(lessor.expired(1000 + 15_000, 10)).toEqual([1]);
    t.ok({ type: "leaseRevoke", leaseRevoke: { id: L(1) } });
    expect(lessor.expired(1000 + 25_000, 10)).toEqual([2]);
  });

  it("renew pushes expiry one TTL past now; unknown leases are reported", () => {
    const t = new TestStore();
    grant(t, 1, 10);
    const lessor = t.store.lessor;
    lessor.promote(0, 0);
    expect(lessor.renew(L(1), 8000)).toEqual({ kind: "renewed", ttlSec: 10 });
    expect(lessor.expired(12_000, 10)).toEqual([]);
    expect(lessor.expired(18_000, 10)).toEqual([1]);
    expect(lessor.renew(L(99), 0)).toEqual({ kind: "notFound" });
  });

  it("expired returns at most max ids, soonest first, and retries a lease whose revoke did not land", () => {
    const t = new TestStore({ lessor: { expiryRetryMs: 3000 } });
    for (const [id, ttl] of [
      [3, 30],
      [1, 10],
      [2, 20],
    ] as const)
      grant(t, id, ttl);
    const lessor = t.store.lessor;
    lessor.promote(0, 0);
    expect(lessor.expired(100_000, 2)).toEqual([1, 2]);
    expect(lessor.expired(100_000, 2)).toEqual([3]);
    expect(lessor.expired(101_000, 5)).toEqual([]);
    expect(lessor.expired(103_000, 5).sort()).toEqual([1, 2, 3]);
  });

  it("a lease granted while leader expires one TTL after the lessor first sees a clock", () => {
    const t = new TestStore();
    const lessor = t.store.lessor;
    lessor.promote(0, 0);
    grant(t, 5, 10);
    expect(lessor.expired(1000, 10)).toEqual([]);
    expect(lessor.expired(10_999, 10)).toEqual([]);
    expect(lessor.expired(11_000, 10)).toEqual([5]);
  });

  it("a revoked lease is never reported as expired; demote forgets everything", () => {
    const t = new TestStore();
    grant(t, 1, 10);
    grant(t, 2, 10);
    const lessor = t.store.lessor;
    lessor.promote(0, 0);
    t.ok({ type: "leaseRevoke", leaseRevoke: { id: L(1) } });
    expect(lessor.expired(60_000, 10)).toEqual([2]);
    lessor.demote();
    expect(lessor.isLeader).toBe(false);
    expect(lessor.expired(1e9, 10)).toEqual([]);
  });

  it("time-to-live reports remaining and granted TTL and, when asked, the attached keys", () => {
    const t = new TestStore();
    grant(t, 1, 10);
    t.put("b", "1", { lease: 1 });
    t.put("a", "1", { lease: 1 });
    const lessor = t.store.lessor;
    expect(lessor.timeToLive(L(1), 0, false)).toEqual({ id: 1, ttlSec: 10, grantedTtlSec: 10, keys: [] });
    lessor.promote(0, 0);
    const ttl = lessor.timeToLive(L(1), 3500, true)!;
    expect(ttl.ttlSec).toBe(7);
    expect(ttl.keys.map(text)).toEqual(["a", "b"]);
    expect(lessor.timeToLive(L(9), 0, false)).toBeUndefined();
  });

  it("many renewals keep the expiry heap bounded", () => {
    const t = new TestStore();
    grant(t, 1, 10);
    const lessor = t.store.lessor;
    lessor.promote(0, 0);
    for (let i = 0; i < 10_000; i++) lessor.renew(L(1), i);
    expect(lessor.expired(10_000 + 9_998, 10)).toEqual([]);
    expect(lessor.expired(10_000 + 9_999, 10)).toEqual([1]);
  });
});
