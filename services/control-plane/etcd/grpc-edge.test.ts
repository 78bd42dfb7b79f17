/**
 * The gRPC edge with a raw client: etcd's status codes and messages for every failure
 * clients act on, headers, and input no well-behaved client sends (oversized, undecodable,
 * out-of-range integers). After each, the server must still serve.
 */
import { type Client, type ClientDuplexStream, status } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LeaderChangedError, NoLeaderError, TimeoutError, TooManyRequestsError } from "./errors.js";
import { callUnary, type FakeCluster, rawClient, startFakeCluster } from "./testing.js";

const MAX_REQUEST_BYTES = 64 * 1024;
const b = (s: string): Buffer => Buffer.from(s);

describe("gRPC edge", () => {
  let cluster: FakeCluster;
  let kv: Client;
  let lease: Client;
  let maintenance: Client;
  let clusterClient: Client;

  beforeAll(async () => {
    cluster = await startFakeCluster({ server: { maxRequestBytes: MAX_REQUEST_BYTES, maxTxnOps: 4 } });
    kv = rawClient(cluster.endpoint, "KV");
    lease = rawClient(cluster.endpoint, "Lease");
    maintenance = rawClient(cluster.endpoint, "Maintenance");
    clusterClient = rawClient(cluster.endpoint, "Cluster");
  });
  afterAll(async () => {
    for (const c of [kv, lease, maintenance, clusterClient]) c.close();
    await cluster.close();
  });

  async function expectStatus(
    client: Client,
    method: string,
    request: object,
    code: status,
    details: string | RegExp,
  ): Promise<void> {
    const r = await callUnary(client, method, request);
    if (r.ok) throw new Error(`${method} succeeded; expected status ${status[code]}`);
    expect({ code: status[r.error.code], details: r.error.details }).toEqual({
      code: status[code],
      details: typeof details === "string" ? details : expect.stringMatching(details),
    });
  }

  async function expectServing(): Promise<void> {
    const put = await callUnary(kv, "Put", { key: b("alive"), value: b("yes") });
    expect(put.ok).toBe(true);
  }

  describe("etcd's statuses and messages", () => {
    it("backend failures: no leader, timeout, leader changed, too many requests", async () => {
      const cases = [
        [new NoLeaderError(), status.UNAVAILABLE, "etcdserver: no leader"],
        [new TimeoutError(), status.UNAVAILABLE, "etcdserver: request timed out"],
        [new LeaderChangedError(), status.UNAVAILABLE, "etcdserver: leader changed"],
        [new TooManyRequestsError(), status.RESOURCE_EXHAUSTED, "etcdserver: too many requests"],
      ] as const;
      for (const [err, code, message] of cases) {
        cluster.backend.failNext("propose", err);
        await expectStatus(kv, "Put", { key: b("k"), value: b("v") }, code, message);
      }
      cluster.backend.failNext("readIndex", new NoLeaderError());
      await expectStatus(kv, "Range", { key: b("k") }, status.UNAVAILABLE, "etcdserver: no leader");
      await expectServing();
    });

    it("request checks: empty key, ignore_value/ignore_lease misuse, duplicate keys, too many ops", async () => {
      await expectStatus(
        kv,
        "Put",
        { key: b(""), value: b("v") },
        status.INVALID_ARGUMENT,
        "etcdserver: key is not provided",
      );
      await expectStatus(
        kv,
        "Range",
        { key: b("") },
        status.INVALID_ARGUMENT,
        "etcdserver: key is not provided",
      );
      await expectStatus(
        kv,
        "DeleteRange",
        { key: b("") },
        status.INVALID_ARGUMENT,
        "etcdserver: key is not provided",
      );
      await expectStatus(
        kv,
        "Put",
        { key: b("nokey"), value: b(""), ignore_value: true },
        status.INVALID_ARGUMENT,
        "etcdserver: key not found",
      );
      await expectStatus(
        kv,
        "Put",
        { key: b("k"), value: b("v"), ignore_value: true },
        status.INVALID_ARGUMENT,
        "etcdserver: value is provided",
      );
      await expectStatus(
        kv,
        "Put",
        { key: b("k"), value: b("v"), lease: 5, ignore_lease: true },
        status.INVALID_ARGUMENT,
        "etcdserver: lease is provided",
      );
      const put = { request_put: { key: b("dup"), value: b("v") } };
      await expectStatus(
        kv,
        "Txn",
        { success: [put, put] },
        status.INVALID_ARGUMENT,
        "etcdserver: duplicate key given in txn request",
      );
      const five = Array.from({ length: 5 }, (_, i) => ({
        request_put: { key: b(`op${i}`), value: b("v") },
      }));
      await expectStatus(
        kv,
        "Txn",
        { success: five },
        status.INVALID_ARGUMENT,
        "etcdserver: too many operations in txn request",
      );
    });

    it("leases: unknown lease on put and revoke, lease already exists, TTL too large", async () => {
      await expectStatus(
        kv,
        "Put",
        { key: b("k"), value: b("v"), lease: 424242 },
        status.NOT_FOUND,
        "etcdserver: requested lease not found",
      );
      await expectStatus(
        lease,
        "LeaseRevoke",
        { ID: 424242 },
        status.NOT_FOUND,
        "etcdserver: requested lease not found",
      );
      const g = await callUnary<{ ID: string }>(lease, "LeaseGrant", { TTL: 30, ID: 777 });
      expect(g.ok && g.value.ID).toBe("777");
      await expectStatus(
        lease,
        "LeaseGrant",
        { TTL: 30, ID: 777 },
        status.FAILED_PRECONDITION,
        "etcdserver: lease already exists",
      );
      await expectStatus(
        lease,
        "LeaseGrant",
        { TTL: "9000000000001" },
        status.OUT_OF_RANGE,
        "etcdserver: too large lease TTL",
      );
      const ttl = await callUnary<{ TTL: string }>(lease, "LeaseTimeToLive", { ID: 31337 });
      expect(ttl.ok && ttl.value.TTL).toBe("-1");
    });

    it("compaction: compacted and future revisions", async () => {
      const put = await callUnary<{ header: { revision: string } }>(kv, "Put", {
        key: b("c"),
        value: b("1"),
      });
      const rev = Number(put.ok && put.value.header.revision);
      await expectStatus(kv, "Compact", { revision: rev + 10 }, status.OUT_OF_RANGE, /future revision/);
      expect((await callUnary(kv, "Compact", { revision: rev })).ok).toBe(true);
      await expectStatus(
        kv,
        "Range",
        { key: b("c"), revision: rev - 1 },
        status.OUT_OF_RANGE,
        "etcdserver: mvcc: required revision has been compacted",
      );
      await expectStatus(
        maintenance,
        "HashKV",
        { revision: rev + 1000 },
        status.OUT_OF_RANGE,
        "etcdserver: mvcc: required revision is a future revision",
      );
    });

    it("membership errors: unknown member, not a learner, bad URLs, leader transfer", async () => {
      await expectStatus(
        clusterClient,
        "MemberRemove",
        { ID: "12345" },
        status.NOT_FOUND,
        "etcdserver: member not found",
      );
      await expectStatus(
        clusterClient,
        "MemberAdd",
        { peerURLs: ["not a url"] },
        status.INVALID_ARGUMENT,
        "etcdserver: given member URLs are invalid",
      );
      await expectStatus(
        clusterClient,
        "MemberAdd",
        { peerURLs: ["http://127.0.0.1:2380"] },
        status.FAILED_PRECONDITION,
        "etcdserver: Peer URLs already exists",
      );
      const added = await callUnary<{ member: { ID: string; isLearner: boolean }; members: unknown[] }>(
        clusterClient,
        "MemberAdd",
        { peerURLs: ["http://10.0.0.2:2380"], isLearner: true },
      );
      if (!added.ok) throw added.error;
      expect(added.value.member.isLearner).toBe(true);
      expect(added.value.members).toHaveLength(2);
      const id = added.value.member.ID;
      expect((await callUnary(clusterClient, "MemberPromote", { ID: id })).ok).toBe(true);
      await expectStatus(
        clusterClient,
        "MemberPromote",
        { ID: id },
        status.FAILED_PRECONDITION,
        "etcdserver: can only promote a learner member",
      );
      await expectStatus(
        maintenance,
        "MoveLeader",
        { targetID: id },
        status.FAILED_PRECONDITION,
        "etcdserver: bad leader transferee",
      );
      const removed = await callUnary<{ members: unknown[] }>(clusterClient, "MemberRemove", { ID: id });
      expect(removed.ok && removed.value.members).toHaveLength(1);
    });
  });

  describe("streams", () => {
    /** Sends keep-alive requests on one stream; resolves with the responses, or the status it ended with. */
    function keepAlive(
      ids: (string | number)[],
    ): Promise<{ responses: { ID: string; TTL: string }[]; status?: string; details?: string }> {
      const call = (
        lease as unknown as { LeaseKeepAlive(): ClientDuplexStream<object, { ID: string; TTL: string }> }
      ).LeaseKeepAlive();
      const responses: { ID: string; TTL: string }[] = [];
      return new Promise((resolve) => {
        call.on("data", (r: { ID: string; TTL: string }) => responses.push(r));
        call.on("error", (e: { code: status; details: string }) =>
          resolve({ responses, status: status[e.code], details: e.details }),
        );
        call.on("end", () => resolve({ responses }));
        for (const ID of ids) call.write({ ID });
        call.end();
      });
    }

    it("keep-alive answers each request in order; an unknown lease gets TTL 0, as etcd", async () => {
      const g = await callUnary<{ ID: string }>(lease, "LeaseGrant", { TTL: 20 });
      if (!g.ok) throw g.error;
      const r = await keepAlive([g.value.ID, 99_999, g.value.ID]);
      expect(r.status).toBeUndefined();
      expect(r.responses.map((x) => [x.ID, x.TTL])).toEqual([
        [g.value.ID, "20"],
        ["99999", "0"],
        [g.value.ID, "20"],
      ]);
    });

    it("a keep-alive the backend cannot serve ends the stream with etcd's status", async () => {
      cluster.backend.failNext("leaseKeepAlive", new NoLeaderError());
      const r = await keepAlive([1]);
      expect([r.status, r.details]).toEqual(["UNAVAILABLE", "etcdserver: no leader"]);
      const bad = await keepAlive(["-3"]);
      expect(bad.status).toBe("INVALID_ARGUMENT");
      await expectServing();
    });

    it("the snapshot stream counts remaining bytes down to 0 and ends with the SHA-256", async () => {
      const call = (maintenance as unknown as { Snapshot(req: object): NodeJS.ReadableStream }).Snapshot({});
      const parts: { remaining_bytes: string; blob: Buffer; version: string }[] = [];
      await new Promise<void>((resolve, reject) => {
        call.on("data", (p: { remaining_bytes: string; blob: Buffer; version: string }) => parts.push(p));
        call.on("end", () => resolve());
        call.on("error", reject);
      });
      const total = parts.reduce((n, p) => n + p.blob.length, 0);
      expect(total % 512).toBe(32);
      let left = total;
      for (const p of parts) {
        left -= p.blob.length;
        expect(Number(p.remaining_bytes)).toBe(left);
      }
      expect(parts[0]!.version).toMatch(/^3\.5\./);
    });
  });

  describe("headers", () => {
    it("every service's responses carry cluster id, member id, revision and term", async () => {
      const want = {
        cluster_id: cluster.backend.clusterId,
        member_id: cluster.backend.memberId,
        raft_term: "2",
      };
      const calls: [Client, string, object][] = [
        [kv, "Range", { key: b("x") }],
        [kv, "Put", { key: b("x"), value: b("1") }],
        [kv, "DeleteRange", { key: b("x") }],
        [kv, "Txn", {}],
        [lease, "LeaseLeases", {}],
        [clusterClient, "MemberList", { linearizable: true }],
        [maintenance, "Status", {}],
        [maintenance, "Alarm", {}],
        [maintenance, "Defragment", {}],
        [maintenance, "Hash", {}],
        [maintenance, "HashKV", {}],
      ];
      for (const [client, method, req] of calls) {
        const r = await callUnary<{ header: Record<string, string> }>(client, method, req);
        if (!r.ok) throw r.error;
        expect(r.value.header, method).toMatchObject(want);
        expect(Number(r.value.header["revision"]), method).toBe(cluster.backend.store.currentRevision);
      }
    });

    it("Status reports the leader, Raft indexes and no errors; Alarm an empty list", async () => {
      const s = await callUnary<Record<string, unknown>>(maintenance, "Status", {});
      if (!s.ok) throw s.error;
      const rs = cluster.backend.raftStatus();
      expect(s.value).toMatchObject({
        leader: cluster.backend.memberId,
        raftIndex: String(rs.commitIndex),
        raftAppliedIndex: String(rs.appliedIndex),
        raftTerm: "2",
        errors: [],
        isLearner: false,
      });
      const a = await callUnary<{ alarms: unknown[] }>(maintenance, "Alarm", { action: "GET" });
      expect(a.ok && a.value.alarms).toEqual([]);
    });
  });

  describe("bad input", () => {
    it("a write just above maxRequestBytes gets etcd's 'request is too large'; the server keeps serving", async () => {
      const value = Buffer.alloc(MAX_REQUEST_BYTES + 1, 0x61);
      await expectStatus(
        kv,
        "Put",
        { key: b("big"), value },
        status.INVALID_ARGUMENT,
        "etcdserver: request is too large",
      );
      await expectServing();
    });

    it("a message above the gRPC limit gets RESOURCE_EXHAUSTED; the server keeps serving", async () => {
      const value = Buffer.alloc(MAX_REQUEST_BYTES + 600 * 1024, 0x61);
      const r = await callUnary(kv, "Put", { key: b("huge"), value });
      expect(!r.ok && status[r.error.code]).toBe("RESOURCE_EXHAUSTED");
      await expectServing();
    });

    it("undecodable bytes get a status, on unary calls and streams; the server keeps serving", async () => {
      const garbage = Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]);
      const identity = (x: Buffer): Buffer => x;
      for (const path of ["/etcdserverpb.KV/Put", "/etcdserverpb.KV/Txn", "/etcdserverpb.Lease/LeaseGrant"]) {
        const err = await new Promise<{ code: status } | null>((resolve) =>
          kv.makeUnaryRequest(path, identity, identity, garbage, (e) => resolve(e)),
        );
        expect(err?.code, path).toBe(status.INTERNAL);
      }
      const streamStatus = await new Promise<status>((resolve) => {
        const call = kv.makeBidiStreamRequest("/etcdserverpb.Watch/Watch", identity, identity);
        call.on("data", () => {});
        call.on("error", (e: { code: status }) => resolve(e.code));
        call.on("status", (s: { code: status }) => resolve(s.code));
        call.write(garbage);
      });
      expect(streamStatus).toBe(status.INTERNAL);
      await expectServing();
    });

    it("int64 values the store cannot hold are refused with INVALID_ARGUMENT naming the field", async () => {
      await expectStatus(
        kv,
        "Range",
        { key: b("k"), revision: "9007199254740993" },
        status.INVALID_ARGUMENT,
        /^flotilla: revision 9007199254740993 is out of the supported range/,
      );
      await expectStatus(
        kv,
        "Put",
        { key: b("k"), value: b("v"), lease: "-5" },
        status.INVALID_ARGUMENT,
        /^flotilla: lease -5 is out of the supported range/,
      );
      await expectStatus(
        kv,
        "Txn",
        { compare: [{ key: b("k"), target: "MOD", result: "EQUAL", mod_revision: "-9223372036854775808" }] },
        status.INVALID_ARGUMENT,
        /compare\.mod_revision/,
      );
      await expectServing();
    });

    it("unknown enum values and services are refused", async () => {
      await expectStatus(kv, "Range", { key: b("k"), sort_order: 7 }, status.INVALID_ARGUMENT, /sort_order/);
      const err = await new Promise<{ code: status } | null>((resolve) =>
        kv.makeUnaryRequest(
          "/etcdserverpb.Auth/AuthStatus",
          (x: Buffer) => x,
          (x: Buffer) => x,
          Buffer.alloc(0),
          (e) => resolve(e),
        ),
      );
      expect(err?.code).toBe(status.UNIMPLEMENTED);
      await expectServing();
    });
  });
});
