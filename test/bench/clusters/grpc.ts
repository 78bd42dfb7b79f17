/**
 * The one etcd v3 client every benchmark uses for both systems: bare @grpc/grpc-js calls.
 * No etcd3 wrapper: it adds promise chains, retry policy and per-call object building that
 * would be measured as server time. Maintenance.Status (not timed) uses the proto-loader
 * client from proto/load.ts.
 */
import { Client, credentials, type ServiceError } from "@grpc/grpc-js";
import { loadProtos } from "../../../proto/load.js";

const protos = loadProtos();

/** A KV connection: a bare grpc-js Client; requests are encoded by hand (below). */
export type KvClient = Client;

export interface StatusResponse {
  readonly header: { readonly member_id: string; readonly raft_term: string } | null;
  readonly leader: string;
  readonly raftTerm: string;
  readonly raftIndex: string;
  readonly raftAppliedIndex: string;
  readonly version: string;
}

interface MaintenanceClient extends Client {
  Status(
    req: object,
    opts: { deadline: number },
    cb: (err: ServiceError | null, res?: StatusResponse) => void,
  ): void;
}

/**
 * A KV client on its own HTTP/2 connection when `ownConnection` (grpc-js otherwise shares
 * one connection among all channels to the same address with the same options).
 */
export function kvClient(addr: string, ownConnection: boolean): KvClient {
  const options = ownConnection ? { "grpc.use_local_subchannel_pool": 1 } : {};
  return new Client(addr, credentials.createInsecure(), options);
}

/*
 * Requests are encoded by hand and responses are not decoded (only the gRPC status counts):
 * protobufjs' object building and decoding cost as much client CPU as a cheap server call,
 * and the client shares two cores with the servers. Same field numbers as rpc.proto.
 */
const PUT = "/etcdserverpb.KV/Put";
const RANGE = "/etcdserverpb.KV/Range";
const identity = (b: Buffer): Buffer => b;
/** Any non-null value: grpc-js reports a null response as "No message received". */
const ignore = (_: Buffer): true => true;

function varint(n: number): number[] {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return out;
}

/** A length-delimited field (wire type 2). */
function bytesField(field: number, b: Buffer): Buffer {
  return Buffer.concat([Buffer.from([(field << 3) | 2, ...varint(b.length)]), b]);
}

/** PutRequest{key = 1, value = 2}. */
export function encodePut(key: Buffer, value: Buffer): Buffer {
  return Buffer.concat([bytesField(1, key), bytesField(2, value)]);
}

/** RangeRequest{key = 1, serializable = 7}. */
export function encodeRange(key: Buffer, serializable: boolean): Buffer {
  const k = bytesField(1, key);
  return serializable ? Buffer.concat([k, Buffer.from([7 << 3, 1])]) : k;
}

function unary(c: KvClient, path: string, req: Buffer, deadlineMs: number): Promise<ServiceError | null> {
  return new Promise((resolve) =>
    c.makeUnaryRequest(path, identity, ignore, req, { deadline: Date.now() + deadlineMs }, (e) => resolve(e)),
  );
}

/** One call with a deadline; resolves with the error instead of throwing. */
export function put(
  c: KvClient,
  key: Buffer,
  value: Buffer,
  deadlineMs: number,
): Promise<ServiceError | null> {
  return unary(c, PUT, encodePut(key, value), deadlineMs);
}

export function range(
  c: KvClient,
  key: Buffer,
  serializable: boolean,
  deadlineMs: number,
): Promise<ServiceError | null> {
  return unary(c, RANGE, encodeRange(key, serializable), deadlineMs);
}

/** Maintenance.Status of the member at `addr`, or undefined when it does not answer in time. */
export async function memberStatus(addr: string, deadlineMs: number): Promise<StatusResponse | undefined> {
  const c = new protos.etcdserverpb.Maintenance(addr, credentials.createInsecure(), {
    "grpc.use_local_subchannel_pool": 1,
  }) as unknown as MaintenanceClient;
  try {
    return await new Promise((resolve) =>
      c.Status({}, { deadline: Date.now() + deadlineMs }, (e, res) => resolve(e ? undefined : res)),
    );
  } finally {
    c.close();
  }
}

/** The value stored under `key`, read linearizably through the proto-loader client; undefined if absent. */
export async function getValue(addr: string, key: Buffer, deadlineMs: number): Promise<Buffer | undefined> {
  const c = new protos.etcdserverpb.KV(addr, credentials.createInsecure()) as unknown as Client & {
    Range(
      req: { key: Buffer },
      opts: { deadline: number },
      cb: (err: ServiceError | null, res?: { kvs: Array<{ value: Buffer }> }) => void,
    ): void;
  };
  try {
    return await new Promise((resolve, reject) =>
      c.Range({ key }, { deadline: Date.now() + deadlineMs }, (e, res) =>
        e ? reject(e) : resolve(res?.kvs[0]?.value),
      ),
    );
  } finally {
    c.close();
  }
}

/** A short name for a failed call: the gRPC status code name, or "other". */
export function errorName(e: ServiceError): string {
  const names: Record<number, string> = {
    1: "CANCELLED",
    2: "UNKNOWN",
    4: "DEADLINE_EXCEEDED",
    8: "RESOURCE_EXHAUSTED",
    9: "FAILED_PRECONDITION",
    13: "INTERNAL",
    14: "UNAVAILABLE",
  };
  return names[e.code] ?? `code${e.code}`;
}
