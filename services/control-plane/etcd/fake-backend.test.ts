import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { LeaseNotFoundError, leaseId, MvccStore, utf8 } from "../../../libs/mvcc/index.js";
import { ManualClock } from "./clock.js";
import {
  BadLeaderTransfereeError,
  MemberNotEnoughStartedError,
  MemberNotFoundError,
  MemberNotLearnerError,
  NoLeaderError,
  PeerUrlExistsError,
  StoppedError,
} from "./errors.js";
import { FakeBackend } from "./fake-backend.js";
import {
  envelopeBytes,
  envelopeTrailer,
  SnapshotFileError,
  unwrapSnapshotFile,
} from "./snapshot-envelope.js";

function fake(clock = new ManualClock()): { backend: FakeBackend; clock: ManualClock } {
  return { backend: new FakeBackend({ clock }), clock };
}

describe("FakeBackend", () => {
  it("applies each proposal at the next index and reports itself as leader with those indexes", async () => {
    const { backend } = fake();
    const before = backend.raftStatus().appliedIndex;
    const r = await backend.propose({ type: "put", put: { key: utf8("k"), value: utf8("v") } });
    expect(r).toMatchObject({ kind: "applied", index: before + 1 });
    expect(backend.raftStatus()).toMatchObject({
      leaderId: backend.memberId,
      commitIndex: before + 1,
      appliedIndex: before + 1,
      isLearner: false,
    });
    expect(backend.store.consistentIndex).toBe(before + 1);
    backend.close();
  });

  it("a lease not renewed expires on the clock: its revoke is applied and its keys deleted", async () => {
    const { backend, clock } = fake();
    const g = await backend.propose({ type: "leaseGrant", leaseGrant: { id: leaseId(0), ttlSec: 3 } });
    if (g.kind !== "applied" || g.response.type !== "leaseGrant") throw new Error("grant failed");
    const id = g.response.leaseGrant.id;
    await backend.propose({ type: "put", put: { key: utf8("k"), value: utf8("v"), lease: id } });
    const w = backend.store.watches.watch({ key: utf8("k") });
    clock.advance(2000);
    expect(await backend.leaseKeepAlive(id)).toBe(3); // now expires at 5000
    clock.advance(2900);
    expect(backend.store.leaseIds()).toEqual([id]);
    clock.advance(600);
    expect(backend.store.leaseIds()).toEqual([]);
    const rs = w.poll();
    expect(rs.flatMap((r) => (r.kind === "events" ? r.events.map((e) => e.type) : []))).toEqual(["delete"]);
    await expect(backend.leaseKeepAlive(id)).rejects.toBeInstanceOf(LeaseNotFoundError);
    expect(await backend.leaseTimeToLive(id, false)).toBeUndefined();
    backend.close();
  });

  it("time to live counts down on the clock and lists keys when asked", async () => {
    const { backend, clock } = fake();
    const g = await backend.propose({ type: "leaseGrant", leaseGrant: { id: leaseId(9), ttlSec: 10 } });
    expect(g.kind).toBe("applied");
    await backend.propose({ type: "put", put: { key: utf8("a"), value: utf8("1"), lease: leaseId(9) } });
    clock.advance(4000);
    const ttl = await backend.leaseTimeToLive(leaseId(9), true);
    expect(ttl).toMatchObject({ ttlSec: 6, grantedTtlSec: 10 });
    expect(ttl?.keys.map((k) => new TextDecoder().decode(k))).toEqual(["a"]);
    backend.close();
  });

  it("failNext makes exactly the next calls fail; close stops timers and refuses calls", async () => {
    const { backend, clock } = fake();
    backend.failNext("readIndex", new NoLeaderError(), 2);
    await expect(backend.readIndex()).rejects.toBeInstanceOf(NoLeaderError);
    await expect(backend.readIndex()).rejects.toBeInstanceOf(NoLeaderError);
    await expect(backend.readIndex()).resolves.toBeUndefined();
    expect(clock.pendingTimers).toBeGreaterThan(0);
    backend.close();
    expect(clock.pendingTimers).toBe(0);
    await expect(backend.propose({ type: "compact", compact: { revision: 1 } })).rejects.toBeInstanceOf(
      StoppedError,
    );
  });

  it("membership: add, update, promote, remove, with etcd's errors", async () => {
    const { backend } = fake();
    const m = await backend.memberAdd(["http://10.0.0.2:2380"], true);
    expect(m).toMatchObject({ name: "", isLearner: true, clientUrls: [] });
    expect(backend.members().map((x) => x.id)).toContain(m.id);
    await expect(backend.memberAdd(["http://10.0.0.2:2380"], false)).rejects.toBeInstanceOf(
      PeerUrlExistsError,
    );
    await backend.memberUpdate(m.id, ["http://10.0.0.3:2380"]);
    await backend.memberPromote(m.id);
    await expect(backend.memberPromote(m.id)).rejects.toBeInstanceOf(MemberNotLearnerError);
    await expect(backend.moveLeader(m.id)).rejects.toBeInstanceOf(BadLeaderTransfereeError);
    await expect(backend.moveLeader(backend.memberId)).resolves.toBeUndefined();
    await expect(backend.memberRemove(backend.memberId)).rejects.toBeInstanceOf(MemberNotEnoughStartedError);
    await backend.memberRemove(m.id);
    await expect(backend.memberRemove(m.id)).rejects.toBeInstanceOf(MemberNotFoundError);
    expect(backend.members()).toHaveLength(1);
    backend.close();
  });

  it("a snapshot announces its exact size and restores to the same store", async () => {
    const { backend } = fake();
    for (let i = 0; i < 50; i++)
      await backend.propose({ type: "put", put: { key: utf8(`k${i}`), value: utf8("x".repeat(i)) } });
    const snap = await backend.snapshot();
    const chunks: Uint8Array[] = [];
    for await (const c of snap.chunks) chunks.push(c);
    expect(chunks.reduce((n, c) => n + c.length, 0)).toBe(snap.totalBytes);
    expect(backend.dbSizeBytes()).toBe(snap.totalBytes);
    const copy = new MvccStore();
    copy.restore(chunks);
    expect(copy.hashKv(0)).toEqual(backend.store.hashKv(0));
    backend.close();
  });
});

describe("ManualClock", () => {
  it("runs due timers in time order inside advance, including ones armed meanwhile; cancel removes one", () => {
    const clock = new ManualClock(100);
    const log: string[] = [];
    clock.setTimer(() => log.push(`b@${clock.nowMs()}`), 20);
    clock.setTimer(() => {
      log.push(`a@${clock.nowMs()}`);
      clock.setTimer(() => log.push(`c@${clock.nowMs()}`), 5);
    }, 10);
    const gone = clock.setTimer(() => log.push("never"), 15);
    gone.cancel();
    clock.advance(30);
    expect(log).toEqual(["a@110", "c@115", "b@120"]);
    expect(clock.nowMs()).toBe(130);
  });
});

describe("snapshot file envelope", () => {
  function wrap(data: Uint8Array): Buffer {
    const body = Buffer.concat([data, envelopeTrailer(data.length)]);
    return Buffer.concat([body, createHash("sha256").update(body).digest()]);
  }

  it("every size becomes 512·k + 32, as etcd's clients check, and unwraps to the data", () => {
    for (const n of [0, 1, 503, 504, 505, 4096, 100_000]) {
      const data = Buffer.alloc(n, 7);
      const file = wrap(data);
      expect(file.length).toBe(envelopeBytes(n));
      expect(file.length % 512).toBe(32);
      expect(Buffer.from(unwrapSnapshotFile(file)).equals(data)).toBe(true);
    }
  });

  it("a corrupt or truncated file is refused", () => {
    const file = wrap(Buffer.from("some snapshot"));
    const flipped = Buffer.from(file);
    flipped[3] = flipped[3]! ^ 1;
    expect(() => unwrapSnapshotFile(flipped)).toThrow(/SHA-256 mismatch/);
    expect(() => unwrapSnapshotFile(file.subarray(0, file.length - 1))).toThrow(SnapshotFileError);
  });
});
