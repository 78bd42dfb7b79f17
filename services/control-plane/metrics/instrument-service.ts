/**
 * Wraps a grpc-js service implementation so every call is counted and timed, without
 * changing what the handlers see or what the client gets: the wrapper passes the same call
 * object and the same callback arguments through, only listening to the call's events.
 *
 *   unary          count + latency when the callback is called (or the client cancels)
 *   client stream  open while reading; count when the callback is called (or cancel)
 *   server stream  open until the stream finishes, fails or is cancelled; count then
 *   bidi stream    the same as a server stream
 *
 * A method the implementation lacks is left out, so grpc-js answers UNIMPLEMENTED as before.
 */
import {
  type handleBidiStreamingCall,
  type handleClientStreamingCall,
  type handleServerStreamingCall,
  type handleUnaryCall,
  type MethodDefinition,
  type ServiceDefinition,
  type sendUnaryData,
  status,
  type UntypedHandleCall,
  type UntypedServiceImplementation,
} from "@grpc/grpc-js";
import { type GrpcMetrics, grpcCodeName, statusCodeOf } from "./grpc-metrics.js";

type Labels = { readonly service: string; readonly method: string };
/** Settles one call's metrics with its final status code; later calls are ignored. */
type Finish = (code: number) => void;

/**
 * A copy of `implementation` whose handlers record into `metrics`; pass it to
 * `server.addService(definition, …)` in place of the original.
 */
export function instrumentService(
  definition: ServiceDefinition,
  implementation: UntypedServiceImplementation,
  metrics: GrpcMetrics,
): UntypedServiceImplementation {
  const wrapped: UntypedServiceImplementation = {};
  for (const [name, method] of Object.entries(definition) as Array<
    [string, MethodDefinition<unknown, unknown>]
  >) {
    // grpc-js's own lookup (Server.addService): by definition key, then by original name.
    let handler: unknown = implementation[name];
    if (handler === undefined && typeof method.originalName === "string")
      handler = implementation[method.originalName];
    if (typeof handler !== "function") continue;
    const bound = (handler as (...args: never[]) => void).bind(implementation) as UntypedHandleCall;
    wrapped[name] = wrapHandler(method, bound, labelsOf(method.path, name), metrics);
  }
  return wrapped;
}

function wrapHandler(
  method: MethodDefinition<unknown, unknown>,
  handler: UntypedHandleCall,
  labels: Labels,
  metrics: GrpcMetrics,
): UntypedHandleCall {
  if (!method.requestStream && !method.responseStream)
    return wrapUnary(handler as handleUnaryCall<unknown, unknown>, labels, metrics);
  if (method.requestStream && !method.responseStream)
    return wrapClientStream(handler as handleClientStreamingCall<unknown, unknown>, labels, metrics);
  return wrapWritableStream(
    handler as handleServerStreamingCall<unknown, unknown> | handleBidiStreamingCall<unknown, unknown>,
    labels,
    metrics,
  );
}

function wrapUnary(
  handler: handleUnaryCall<unknown, unknown>,
  labels: Labels,
  metrics: GrpcMetrics,
): handleUnaryCall<unknown, unknown> {
  return (call, callback) => {
    const startedMs = performance.now();
    const finish = once((code) => {
      metrics.duration.observe(labels, (performance.now() - startedMs) / 1000);
      metrics.requests.inc({ ...labels, code: grpcCodeName(code) });
    });
    call.once("cancelled", () => finish(status.CANCELLED));
    runHandler(finish, () => handler(call, settling(callback, finish)));
  };
}

function wrapClientStream(
  handler: handleClientStreamingCall<unknown, unknown>,
  labels: Labels,
  metrics: GrpcMetrics,
): handleClientStreamingCall<unknown, unknown> {
  return (call, callback) => {
    const finish = openStream(labels, metrics);
    call.once("cancelled", () => finish(status.CANCELLED));
    runHandler(finish, () => handler(call, settling(callback, finish)));
  };
}

function wrapWritableStream(
  handler: handleServerStreamingCall<unknown, unknown> | handleBidiStreamingCall<unknown, unknown>,
  labels: Labels,
  metrics: GrpcMetrics,
): UntypedHandleCall {
  const run = handler as (call: Parameters<typeof handler>[0]) => void;
  return (call: Parameters<typeof handler>[0]) => {
    const finish = openStream(labels, metrics);
    // grpc-js turns an emitted error into the call's status (and has its own listener, so
    // this one changes nothing about unhandled errors); the status goes out on finish.
    let failed: number | undefined;
    call.on("error", (err: unknown) => {
      failed ??= statusCodeOf(err);
    });
    call.once("finish", () => finish(failed ?? status.OK));
    call.once("cancelled", () => finish(status.CANCELLED));
    // Destroyed without finishing (e.g. call.destroy()): no OK status was sent.
    call.once("close", () => finish(failed ?? status.UNKNOWN));
    runHandler(finish, () => run(call));
  };
}

/** Counts a stream as open now; the returned Finish closes and counts it. */
function openStream(labels: Labels, metrics: GrpcMetrics): Finish {
  metrics.streamsOpen.inc(labels);
  return once((code) => {
    metrics.streamsOpen.dec(labels);
    metrics.requests.inc({ ...labels, code: grpcCodeName(code) });
  });
}

/** The handler's callback, settling the metrics with the code grpc-js will send. */
function settling(callback: sendUnaryData<unknown>, finish: Finish): sendUnaryData<unknown> {
  return (...args) => {
    finish(statusCodeOf(args[0]));
    callback(...args);
  };
}

/** grpc-js answers a handler that throws synchronously with UNKNOWN: count that, rethrow. */
function runHandler(finish: Finish, run: () => void): void {
  try {
    run();
  } catch (err) {
    finish(status.UNKNOWN);
    throw err;
  }
}

function once(fn: Finish): Finish {
  let done = false;
  return (code) => {
    if (done) return;
    done = true;
    fn(code);
  };
}

/** "/etcdserverpb.KV/Range" → service "etcdserverpb.KV", method "Range". */
function labelsOf(path: string, name: string): Labels {
  const m = /^\/([^/]+)\/([^/]+)$/.exec(path);
  return m ? { service: m[1]!, method: m[2]! } : { service: "unknown", method: name };
}
