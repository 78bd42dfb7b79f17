import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, isAbsolute, join } from "node:path";
import { pathToFileURL } from "node:url";
import type { MethodDefinition, ServiceClientConstructor } from "@grpc/grpc-js";
import protobuf from "protobufjs";
import { describe, expect, it } from "vitest";
import { findProtoDir, loadProtos } from "./load.js";

const protos = loadProtos();

// etcd's own proto, as shipped in the etcd3 client package (etcd 3.5 era).
const etcdProtoDir = join(dirname(createRequire(import.meta.url).resolve("etcd3/package.json")), "proto");

function loadEtcdRoot(): protobuf.Root {
  const root = new protobuf.Root();
  root.loadSync(join(etcdProtoDir, "rpc.proto"), { keepCase: true });
  root.resolveAll();
  return root;
}

function loadOurRoot(): protobuf.Root {
  const root = new protobuf.Root();
  // Our imports are relative to the proto dir ("mvccpb/kv.proto"), as in the loader.
  root.resolvePath = (_origin, target) => (isAbsolute(target) ? target : join(protos.protoDir, target));
  root.loadSync(["mvccpb/kv.proto", "etcdserverpb/rpc.proto", "raftpb/raft.proto"], { keepCase: true });
  root.resolveAll();
  return root;
}

const etcd = loadEtcdRoot();
const ours = loadOurRoot();

type Streaming = "unary" | "server" | "client" | "bidi";

function streaming(m: { requestStream?: boolean; responseStream?: boolean }): Streaming {
  if (m.requestStream && m.responseStream) return "bidi";
  if (m.requestStream) return "client";
  return m.responseStream ? "server" : "unary";
}

function methodsOf(ctor: ServiceClientConstructor): Record<string, Streaming> {
  const out: Record<string, Streaming> = {};
  for (const [name, def] of Object.entries(ctor.service)) out[name] = streaming(def);
  return out;
}

// biome-ignore lint/suspicious/noExplicitAny: grpc-js method definitions are generic over message types
type AnyMethod = MethodDefinition<any, any>;

function method(ctor: ServiceClientConstructor, name: string): AnyMethod {
  const def = ctor.service[name];
  if (def === undefined) throw new Error(`no method ${name}`);
  return def;
}

describe("loader", () => {
  it("exposes every service with the listed methods and streaming kinds", () => {
    const { KV, Watch, Lease, Cluster, Maintenance } = protos.etcdserverpb;
    expect(methodsOf(KV)).toEqual({
      Range: "unary",
      Put: "unary",
      DeleteRange: "unary",
      Txn: "unary",
      Compact: "unary",
    });
    expect(methodsOf(Watch)).toEqual({ Watch: "bidi" });
    expect(methodsOf(Lease)).toEqual({
      LeaseGrant: "unary",
      LeaseRevoke: "unary",
      LeaseKeepAlive: "bidi",
      LeaseTimeToLive: "unary",
      LeaseLeases: "unary",
    });
    expect(methodsOf(Cluster)).toEqual({
      MemberAdd: "unary",
      MemberRemove: "unary",
      MemberUpdate: "unary",
      MemberList: "unary",
      MemberPromote: "unary",
    });
    expect(methodsOf(Maintenance)).toEqual({
      Alarm: "unary",
      Status: "unary",
      Defragment: "unary",
      Hash: "unary",
      HashKV: "unary",
      Snapshot: "server",
      MoveLeader: "unary",
    });
    expect(methodsOf(protos.raftpb.RaftTransport)).toEqual({ Stream: "bidi", SendSnapshot: "client" });
  });

  it("serves methods on etcd's gRPC paths", () => {
    expect(method(protos.etcdserverpb.KV, "Range").path).toBe("/etcdserverpb.KV/Range");
    expect(method(protos.etcdserverpb.Watch, "Watch").path).toBe("/etcdserverpb.Watch/Watch");
    expect(method(protos.raftpb.RaftTransport, "Stream").path).toBe("/flotilla.raftpb.RaftTransport/Stream");
  });

  it("finds the source proto folder from dist/ as well as from the source tree", () => {
    const root = dirname(protos.protoDir);
    expect(findProtoDir(pathToFileURL(join(root, "proto", "load.ts")).href)).toBe(protos.protoDir);
    expect(findProtoDir(pathToFileURL(join(root, "dist", "proto", "load.js")).href)).toBe(protos.protoDir);
  });
});

// ---------------------------------------------------------------------------------------
// Compatibility with etcd's proto
// ---------------------------------------------------------------------------------------

/**
 * Definitions etcd 3.6 added after the etcd3 package copied etcd's proto. They are checked
 * by hand against etcd's api/etcdserverpb/rpc.proto (v3.6); here we only pin the list so
 * nothing else slips in unnoticed.
 */
const NEWER_THAN_ETCD3_PACKAGE = {
  types: [".etcdserverpb.DowngradeInfo"],
  fields: [
    ".etcdserverpb.HashKVResponse.hash_revision = 4",
    ".etcdserverpb.SnapshotResponse.version = 4",
    ".etcdserverpb.StatusResponse.storageVersion = 11",
    ".etcdserverpb.StatusResponse.dbSizeQuota = 12",
    ".etcdserverpb.StatusResponse.downgradeInfo = 13",
  ],
};

/** etcd methods we do not serve (see the header of rpc.proto). */
const NOT_SERVED = [".etcdserverpb.Maintenance.Downgrade"];

function walk(
  ns: protobuf.NamespaceBase,
  out: protobuf.ReflectionObject[] = [],
): protobuf.ReflectionObject[] {
  for (const child of ns.nestedArray) {
    out.push(child);
    if (child instanceof protobuf.Namespace) walk(child, out);
  }
  return out;
}

const etcdPackages = ["etcdserverpb", "mvccpb"].map((p) => ours.lookup(p) as protobuf.Namespace);
const ourDefs = etcdPackages.flatMap((p) => walk(p));
const ourTypes = ourDefs.filter((d): d is protobuf.Type => d instanceof protobuf.Type);
const ourEnums = ourDefs.filter((d): d is protobuf.Enum => d instanceof protobuf.Enum);
const ourServices = ourDefs.filter((d): d is protobuf.Service => d instanceof protobuf.Service);

/** Field shape that decides the wire format and the generated accessors. */
function shape(f: protobuf.Field): Record<string, unknown> {
  return {
    id: f.id,
    type: f.resolvedType ? f.resolvedType.fullName : f.type,
    repeated: f.repeated,
    map: f.map,
    oneof: f.partOf?.name ?? null,
  };
}

/** etcd3 renames etcd's enum values (NOT_EQUAL -> NotEqual); compare names modulo case and "_". */
function normalize(name: string): string {
  return name.replaceAll("_", "").toUpperCase();
}

describe("compatibility with etcd's proto (node_modules/etcd3/proto)", () => {
  it("defines the messages, enums and services we expect", () => {
    expect(ourTypes.length).toBeGreaterThan(50);
    expect(ourEnums.map((e) => e.fullName).sort()).toEqual(
      [
        ".etcdserverpb.AlarmRequest.AlarmAction",
        ".etcdserverpb.AlarmType",
        ".etcdserverpb.Compare.CompareResult",
        ".etcdserverpb.Compare.CompareTarget",
        ".etcdserverpb.RangeRequest.SortOrder",
        ".etcdserverpb.RangeRequest.SortTarget",
        ".etcdserverpb.WatchCreateRequest.FilterType",
        ".mvccpb.Event.EventType",
      ].sort(),
    );
    expect(ourServices.map((s) => s.name).sort()).toEqual(["Cluster", "KV", "Lease", "Maintenance", "Watch"]);
  });

  it.each(ourTypes.map((t) => [t.fullName, t] as const))(
    "message %s matches etcd field by field",
    (name, t) => {
      const theirs = etcd.lookup(name);
      if (NEWER_THAN_ETCD3_PACKAGE.types.includes(name)) {
        expect(theirs).toBeNull();
        return;
      }
      expect(theirs, `etcd defines ${name}`).toBeInstanceOf(protobuf.Type);
      const et = theirs as protobuf.Type;
      const extras: string[] = [];
      for (const f of t.fieldsArray) {
        const ef = et.fields[f.name];
        if (ef === undefined) {
          extras.push(`${name}.${f.name} = ${f.id}`);
          continue;
        }
        expect(shape(f), `${name}.${f.name}`).toEqual(shape(ef));
      }
      expect(extras.filter((e) => !NEWER_THAN_ETCD3_PACKAGE.fields.includes(e))).toEqual([]);
      // Every field etcd has, we have.
      const missing = et.fieldsArray.filter((ef) => t.fields[ef.name] === undefined).map((ef) => ef.name);
      expect(missing, `fields of ${name} we lack`).toEqual([]);
      expect(t.oneofsArray.map((o) => o.name)).toEqual(et.oneofsArray.map((o) => o.name));
    },
  );

  it.each(ourEnums.map((e) => [e.fullName, e] as const))("enum %s matches etcd value by value", (name, e) => {
    const theirs = etcd.lookup(name);
    expect(theirs, `etcd defines ${name}`).toBeInstanceOf(protobuf.Enum);
    const norm = (values: Record<string, number>) =>
      Object.fromEntries(Object.entries(values).map(([k, v]) => [normalize(k), v]));
    expect(norm(e.values)).toEqual(norm((theirs as protobuf.Enum).values));
  });

  it.each(ourServices.map((s) => [s.fullName, s] as const))(
    "service %s matches etcd method by method",
    (name, s) => {
      const theirs = etcd.lookupService(name);
      for (const m of s.methodsArray) {
        const em = theirs.methods[m.name];
        expect(em, `etcd defines ${name}.${m.name}`).toBeDefined();
        expect({
          request: m.resolvedRequestType?.fullName,
          response: m.resolvedResponseType?.fullName,
          streaming: streaming(m),
        }).toEqual({
          request: em?.resolvedRequestType?.fullName,
          response: em?.resolvedResponseType?.fullName,
          streaming: streaming(em ?? {}),
        });
      }
      const unserved = theirs.methodsArray
        .filter((em) => s.methods[em.name] === undefined)
        .map((em) => em.fullName);
      expect(unserved.filter((u) => !NOT_SERVED.includes(u))).toEqual([]);
    },
  );
});

// ---------------------------------------------------------------------------------------
// Round trips: our serializers (the ones gRPC uses) against etcd's types
// ---------------------------------------------------------------------------------------

const { KV, Watch } = protos.etcdserverpb;

/** Encodes `obj` with our gRPC serializer and with etcd's type, decodes each with the other. */
function crossCheck(
  ourMethod: (o: object) => Buffer,
  ourDecode: (b: Buffer) => unknown,
  etcdType: string,
  obj: object,
) {
  const et = etcd.lookupType(etcdType);
  const oursBytes = ourMethod(obj);
  const theirBytes = Buffer.from(et.encode(et.fromObject(obj)).finish());
  expect(oursBytes.equals(theirBytes), "byte-identical encodings").toBe(true);
  // etcd decodes our bytes into a message that re-encodes to the same bytes.
  expect(Buffer.from(et.encode(et.decode(oursBytes)).finish()).equals(oursBytes)).toBe(true);
  return { fromEtcd: ourDecode(theirBytes), etcdDecoded: et.decode(oursBytes) };
}

const bigId = "14841639068965178418"; // > 2^53: must survive as a string
const header = { cluster_id: bigId, member_id: "10276657743932975437", revision: "1042", raft_term: "7" };

describe("round trips with etcd's types", () => {
  it("PutRequest", () => {
    const put = method(KV, "Put");
    const obj = {
      key: Buffer.from("/registry/pods/a"),
      value: Buffer.from("v"),
      lease: "7587862",
      prev_kv: true,
    };
    const { fromEtcd, etcdDecoded } = crossCheck(
      put.requestSerialize,
      put.requestDeserialize,
      "etcdserverpb.PutRequest",
      obj,
    );
    expect(fromEtcd).toEqual({ ...obj, ignore_value: false, ignore_lease: false });
    expect(etcdDecoded.toJSON()).toMatchObject({ prev_kv: true, lease: "7587862" });
  });

  it("TxnRequest with compares on every target and nested ops", () => {
    const txn = method(KV, "Txn");
    const key = Buffer.from("/registry/pods/a");
    // Enums as numbers so etcd3's renamed values do not matter; our decoder answers with names.
    const obj = {
      compare: [
        { result: 0, target: 2, key, mod_revision: "41" },
        { result: 3, target: 3, key, value: Buffer.from("old"), range_end: Buffer.from("/registry/pods0") },
        { result: 1, target: 4, key, lease: "9" },
      ],
      success: [
        { request_put: { key, value: Buffer.from("new") } },
        { request_txn: { success: [{ request_delete_range: { key, prev_kv: true } }] } },
      ],
      failure: [{ request_range: { key, sort_order: 2, sort_target: 3, limit: "5" } }],
    };
    const { fromEtcd } = crossCheck(
      txn.requestSerialize,
      txn.requestDeserialize,
      "etcdserverpb.TxnRequest",
      obj,
    );
    expect(fromEtcd).toMatchObject({
      compare: [
        { result: "EQUAL", target: "MOD", target_union: "mod_revision", mod_revision: "41" },
        { result: "NOT_EQUAL", target: "VALUE", target_union: "value", value: Buffer.from("old") },
        { result: "GREATER", target: "LEASE", target_union: "lease", lease: "9" },
      ],
      success: [{ request: "request_put" }, { request: "request_txn" }],
      failure: [{ request: "request_range", request_range: { sort_order: "DESCEND", sort_target: "MOD" } }],
    });
  });

  it("WatchResponse with events, prev_kv and 64-bit ids", () => {
    const watch = method(Watch, "Watch");
    const kv = (v: string, mod: string) => ({
      key: Buffer.from("/registry/nodes/n1"),
      value: Buffer.from(v),
      create_revision: "3",
      mod_revision: mod,
      version: "2",
      lease: "0",
    });
    const obj = {
      header,
      watch_id: "4",
      fragment: true,
      events: [
        { type: 0, kv: kv("b", "1041"), prev_kv: kv("a", "3") },
        { type: 1, kv: { key: Buffer.from("/registry/nodes/n1"), mod_revision: "1042" } },
      ],
    };
    const { fromEtcd } = crossCheck(
      watch.responseSerialize,
      watch.responseDeserialize,
      "etcdserverpb.WatchResponse",
      obj,
    );
    expect(fromEtcd).toMatchObject({
      header,
      watch_id: "4",
      created: false,
      canceled: false,
      fragment: true,
      events: [
        { type: "PUT", prev_kv: { value: Buffer.from("a") } },
        { type: "DELETE", prev_kv: null },
      ],
    });
  });

  it("WatchRequest oneof and filters", () => {
    const watch = method(Watch, "Watch");
    const obj = {
      create_request: {
        key: Buffer.from("a"),
        range_end: Buffer.from("b"),
        filters: [0, 1],
        watch_id: "3",
        fragment: true,
      },
    };
    const { fromEtcd } = crossCheck(
      watch.requestSerialize,
      watch.requestDeserialize,
      "etcdserverpb.WatchRequest",
      obj,
    );
    expect(fromEtcd).toMatchObject({
      request_union: "create_request",
      create_request: { filters: ["NOPUT", "NODELETE"], watch_id: "3", fragment: true },
    });
  });
});

// ---------------------------------------------------------------------------------------
// Raft peer format
// ---------------------------------------------------------------------------------------

describe("raft peer format", () => {
  const stream = method(protos.raftpb.RaftTransport, "Stream");
  const big = "9007199254740993"; // 2^53 + 1: uint64 travels intact; the codec range-checks it

  it("round-trips a batch holding a message with entries and one with a snapshot", () => {
    const app = {
      type: "MsgApp",
      to: "2",
      from: "1",
      term: "5",
      log_term: "4",
      index: "100",
      commit: "99",
      entries: [
        { term: "5", index: "101", type: "EntryNormal", data: Buffer.from([1, 2, 3]) },
        { term: "5", index: big, type: "EntryConfChange", data: Buffer.from("add n4") },
      ],
    };
    const snap = {
      type: "MsgSnap",
      to: "3",
      from: "1",
      term: "5",
      snapshot: {
        metadata: { index: "90", term: "4", conf_state: { voters: ["1", "2", "3"], learners: ["4"] } },
        data: Buffer.from("state machine"),
      },
    };
    const heartbeat = { type: "MsgHeartbeat", to: "2", from: "1", term: "5", context: Buffer.alloc(0) };
    const resp = {
      type: "MsgAppResp",
      to: "1",
      from: "2",
      term: "5",
      index: "100",
      reject: true,
      reject_hint: "50",
    };
    const batch = { cluster_id: bigId, from: "1", seq: "7", messages: [app, snap, heartbeat, resp] };

    const decoded = stream.requestDeserialize(stream.requestSerialize(batch));
    const defaults = {
      to: "0",
      from: "0",
      term: "0",
      log_term: "0",
      index: "0",
      commit: "0",
      entries: [],
      snapshot: null,
      reject: false,
      reject_hint: "0",
    };
    expect(decoded).toEqual({
      cluster_id: bigId,
      from: "1",
      seq: "7",
      messages: [
        { ...defaults, ...app },
        { ...defaults, ...snap },
        { ...defaults, ...heartbeat, _context: "context" },
        { ...defaults, ...resp },
      ],
    });
    // Absent context stays absent; an empty one stays present.
    expect(decoded.messages[0]).not.toHaveProperty("context");
    expect(decoded.messages[2].context).toEqual(Buffer.alloc(0));
  });

  it("names a wire type for every MessageType of libs/raft/types.ts, and 0 for none of them", () => {
    const source = readFileSync(join(protos.protoDir, "..", "libs", "raft", "types.ts"), "utf8");
    const union = /export type MessageType =([^;]+);/.exec(source)?.[1] ?? "";
    const tsNames = [...union.matchAll(/"(Msg\w+)"/g)].map((m) => m[1]);
    expect(tsNames.length).toBeGreaterThan(15);
    const values = ours.lookupEnum("flotilla.raftpb.MessageType").values;
    expect(values["MsgUnknown"]).toBe(0);
    expect(
      Object.keys(values)
        .filter((n) => n !== "MsgUnknown")
        .sort(),
    ).toEqual([...tsNames].sort());
  });
});
