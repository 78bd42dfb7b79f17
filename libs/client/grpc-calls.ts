/**
 * The grpc-js edge of {@link ApiClient}: waiting for a channel to connect (so a write that
 * never left the process is known not to have happened), one unary call with a deadline and
 * a cancel signal, and a server stream piped into a {@link WatchChannel}.
 */
import {
  type Client,
  type ClientReadableStream,
  connectivityState,
  Metadata,
  type ServiceError,
} from "@grpc/grpc-js";
import { toApiStatusError } from "./errors.js";
import { WatchChannel } from "./watch-channel.js";

/**
 * Resolves true once the client's channel is READY, false as soon as it fails to connect
 * (TRANSIENT_FAILURE, SHUTDOWN) or the deadline passes. Never sends a request.
 */
export function waitConnected(client: Client, deadlineMs: number): Promise<boolean> {
  const channel = client.getChannel();
  return new Promise((resolve) => {
    const check = (): void => {
      const state = channel.getConnectivityState(true);
      if (state === connectivityState.READY) resolve(true);
      else if (state === connectivityState.TRANSIENT_FAILURE || state === connectivityState.SHUTDOWN)
        resolve(false);
      else if (Date.now() >= deadlineMs) resolve(false);
      else
        channel.watchConnectivityState(state, new Date(deadlineMs), (err) => {
          if (err) resolve(false);
          else check();
        });
    };
    check();
  });
}

type UnaryMethod = (
  request: object,
  metadata: Metadata,
  options: { deadline: Date },
  callback: (err: ServiceError | null, response?: unknown) => void,
) => { cancel(): void };

type StreamMethod = (request: object, metadata: Metadata, options: object) => ClientReadableStream<unknown>;

/** Looks a method up on a client made from the loaded service definition. */
function methodOf<F>(client: Client, name: string): F {
  const fn = (client as unknown as Record<string, unknown>)[name];
  if (typeof fn !== "function") throw new TypeError(`the Resources client has no method ${name}`);
  return fn.bind(client) as F;
}

/** One unary call; rejects with the raw grpc-js status (the caller classifies it). */
export function callUnary<Res>(
  client: Client,
  method: string,
  request: object,
  deadlineMs: number,
  signal: AbortSignal | undefined,
): Promise<Res> {
  return new Promise((resolve, reject) => {
    const fn = methodOf<UnaryMethod>(client, method);
    const onAbort = (): void => call.cancel();
    const call = fn(request, new Metadata(), { deadline: new Date(deadlineMs) }, (err, response) => {
      signal?.removeEventListener("abort", onAbort);
      if (err) reject(err);
      else resolve(response as Res);
    });
    signal?.addEventListener("abort", onAbort, { once: true });
    if (signal?.aborted) call.cancel();
  });
}

/** The outcome of a stream, for the caller's failover bookkeeping. */
export type StreamEnd = { readonly ok: true } | { readonly ok: false; readonly error: unknown };

/**
 * Opens a server stream and pipes decoded messages into `channel` (pausing the stream while
 * the consumer lags). `onEnd` runs once with how the stream ended; a close() by the consumer
 * cancels the call and is reported as ok.
 */
export function pipeStream<Msg, Item>(
  client: Client,
  method: string,
  request: object,
  channel: WatchChannel<Item>,
  map: (msg: Msg) => Item,
  onEnd: (end: StreamEnd) => void,
): { pause(): void; resume(): void; cancel(): void } {
  const call = methodOf<StreamMethod>(client, method)(request, new Metadata(), {});
  let done = false;
  let cancelled = false;
  const finish = (end: StreamEnd): void => {
    if (done) return;
    done = true;
    onEnd(end);
    channel.end(end.ok ? undefined : toApiStatusError(end.error));
  };
  call.on("data", (msg: Msg) => {
    try {
      channel.push(map(msg));
    } catch (error) {
      call.cancel();
      finish({ ok: false, error });
    }
  });
  call.on("error", (error: ServiceError) => finish(cancelled ? { ok: true } : { ok: false, error }));
  call.on("end", () => finish({ ok: true }));
  return {
    pause: () => call.pause(),
    resume: () => call.resume(),
    cancel: () => {
      cancelled = true;
      call.cancel();
    },
  };
}

/** A channel wired to pause and resume `stream` when it is set. */
export function pausableChannel<Item>(highWaterMark: number): {
  channel: WatchChannel<Item>;
  attach(stream: { pause(): void; resume(): void; cancel(): void }): void;
} {
  let target: { pause(): void; resume(): void; cancel(): void } | undefined;
  const channel = new WatchChannel<Item>({
    highWaterMark,
    pause: () => target?.pause(),
    resume: () => target?.resume(),
    onClose: () => target?.cancel(),
  });
  return { channel, attach: (s) => (target = s) };
}
