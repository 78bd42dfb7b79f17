/**
 * What every service shares: the backend, the limits, response headers, and the wrapper that
 * turns an async handler into a grpc-js unary handler whose every failure is a status.
 */
import type { handleUnaryCall, ServerUnaryCall } from "@grpc/grpc-js";
import type { EtcdBackend } from "./backend.js";
import { toGrpcStatus } from "./errors.js";
import type { WireHeader } from "./wire.js";

export interface ServiceLimits {
  /** Writes (Put, DeleteRange, Txn) whose encoded request exceeds this are refused. */
  readonly maxRequestBytes: number;
  /** etcd's --max-txn-ops. */
  readonly maxTxnOps: number;
}

export interface ServiceContext {
  readonly backend: EtcdBackend;
  readonly limits: ServiceLimits;
  /** True when the request object was decoded from more than maxRequestBytes (set by the server). */
  isOversized(request: object): boolean;
}

/** etcd's ResponseHeader for a response at `revision`. */
export function header(backend: EtcdBackend, revision: number): WireHeader {
  return {
    cluster_id: backend.clusterId,
    member_id: backend.memberId,
    revision,
    raft_term: backend.raftStatus().term,
  };
}

/** The header of a response that reads the local store now. */
export function currentHeader(backend: EtcdBackend): WireHeader {
  return header(backend, backend.store.currentRevision);
}

/**
 * A unary handler from an async function: the resolved value is the response, a throw or
 * rejection becomes its gRPC status (toGrpcStatus). Never throws into grpc-js.
 */
export function unary<Req, Res>(
  fn: (req: Req, call: ServerUnaryCall<Req, Res>) => Promise<Res>,
): handleUnaryCall<Req, Res> {
  return (call, callback) => {
    let p: Promise<Res>;
    try {
      p = fn(call.request, call);
    } catch (err) {
      callback(toGrpcStatus(err));
      return;
    }
    p.then(
      (res) => callback(null, res),
      (err: unknown) => callback(toGrpcStatus(err)),
    );
  };
}
