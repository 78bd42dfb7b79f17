/**
 * The gRPC server instruments, named after go-grpc-prometheus (which etcd serves as
 * grpc_server_handled_total and grpc_server_handling_seconds) with the labels the issue
 * asks for: `service` ("etcdserverpb.KV"), `method` ("Range") and `code` in Go's spelling
 * ("OK", "NotFound", "Unavailable"), so etcd dashboards translate one to one.
 */
import { status } from "@grpc/grpc-js";
import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import { GRPC_BUCKETS_SECONDS } from "./buckets.js";

/** The instruments instrumentService records into; one set per registry. */
export interface GrpcMetrics {
  /** Calls finished, by final status; unary and streaming alike. */
  readonly requests: Counter<"service" | "method" | "code">;
  /** Unary call latency, from the handler's start to its response or error. */
  readonly duration: Histogram<"service" | "method">;
  /** Streaming calls (client, server and bidi) open right now. */
  readonly streamsOpen: Gauge<"service" | "method">;
}

/** Registers the gRPC instruments in `registry` (once per registry: names are unique there). */
export function createGrpcMetrics(registry: Registry): GrpcMetrics {
  const registers = [registry];
  return {
    requests: new Counter({
      name: "flotilla_grpc_requests_total",
      help: "gRPC calls completed on the server, unary and streaming, by service, method and status code.",
      labelNames: ["service", "method", "code"],
      registers,
    }),
    duration: new Histogram({
      name: "flotilla_grpc_request_duration_seconds",
      help: "Latency of unary gRPC calls handled by the server, from the handler's start to its answer.",
      labelNames: ["service", "method"],
      buckets: [...GRPC_BUCKETS_SECONDS],
      registers,
    }),
    streamsOpen: new Gauge({
      name: "flotilla_grpc_streams_open",
      help: "Streaming gRPC calls (client, server or bidi streams, e.g. watches) open on the server.",
      labelNames: ["service", "method"],
      registers,
    }),
  };
}

/** Go's names of the status codes (codes.Code.String()), as go-grpc-prometheus labels them. */
const CODE_NAMES: Readonly<Record<number, string>> = {
  [status.OK]: "OK",
  [status.CANCELLED]: "Canceled",
  [status.UNKNOWN]: "Unknown",
  [status.INVALID_ARGUMENT]: "InvalidArgument",
  [status.DEADLINE_EXCEEDED]: "DeadlineExceeded",
  [status.NOT_FOUND]: "NotFound",
  [status.ALREADY_EXISTS]: "AlreadyExists",
  [status.PERMISSION_DENIED]: "PermissionDenied",
  [status.RESOURCE_EXHAUSTED]: "ResourceExhausted",
  [status.FAILED_PRECONDITION]: "FailedPrecondition",
  [status.ABORTED]: "Aborted",
  [status.OUT_OF_RANGE]: "OutOfRange",
  [status.UNIMPLEMENTED]: "Unimplemented",
  [status.INTERNAL]: "Internal",
  [status.UNAVAILABLE]: "Unavailable",
  [status.DATA_LOSS]: "DataLoss",
  [status.UNAUTHENTICATED]: "Unauthenticated",
};

/** The `code` label of a status code; a code outside the enum is labelled by its number. */
export function grpcCodeName(code: number): string {
  return CODE_NAMES[code] ?? `Code(${code})`;
}

/**
 * The status code grpc-js will send for what a handler passed to its callback or emitted as
 * an error: the error's integer `code`, else UNKNOWN (grpc-js's serverErrorToStatus).
 */
export function statusCodeOf(err: unknown): number {
  if (!err) return status.OK;
  if (typeof err === "object" && "code" in err) {
    const code = (err as { code: unknown }).code;
    if (typeof code === "number" && Number.isInteger(code)) return code;
  }
  return status.UNKNOWN;
}
