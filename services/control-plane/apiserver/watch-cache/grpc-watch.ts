/**
 * The apipb.Resources Watch RPC (a server stream) served from the watch cache. Each event's
 * object bytes are shared with every other stream that receives it; the stream's own
 * backpressure is respected (a full `call.write` pauses this watcher until 'drain'), and an
 * error ends the stream with its status after the events already written.
 */
import type { ServerWritableStream } from "@grpc/grpc-js";
import type { WatchEvent } from "../../../../proto/generated/flotilla/apipb/WatchEvent.js";
import type { WatchRequest__Output } from "../../../../proto/generated/flotilla/apipb/WatchRequest.js";
import { type ApiError, grpcStatusOf } from "../api-error.js";
import type { CacheWatcher, WatchSink } from "./cache-watcher.js";
import type { WatchCache } from "./watch-cache.js";
import { parseWatchParams } from "./watch-request.js";

export interface ServeGrpcWatchOptions {
  /** Told how each stream ended (undefined: cleanly or cancelled by the client); for logs and metrics. @default none */
  onEnd?: (error: unknown) => void;
}

/** Serves the apipb.Resources Watch RPC (server stream) from the cache. */
export function serveGrpcWatch(
  call: ServerWritableStream<WatchRequest__Output, WatchEvent>,
  cache: WatchCache,
  options: ServeGrpcWatchOptions = {},
): void {
  let finished = false;
  const finish = (error: unknown): void => {
    if (finished) return;
    finished = true;
    if (error !== undefined && !call.cancelled) call.emit("error", grpcStatusOf(error));
    else if (!call.cancelled) call.end();
    options.onEnd?.(error);
  };
  let spec: ReturnType<typeof parseWatchParams>;
  try {
    spec = parseWatchParams(call.request);
  } catch (err) {
    finish(err);
    return;
  }
  let watcher: CacheWatcher | undefined;
  const sink: WatchSink = {
    send: (ev) => call.write({ type: ev.type, object: ev.object.bytes }),
    close: (error: ApiError | undefined) => finish(error),
    started: (w) => {
      watcher = w;
    },
  };
  call.on("drain", () => watcher?.resume());
  const gone = (): void => {
    watcher?.cancel();
    if (!finished) {
      finished = true;
      options.onEnd?.(undefined);
    }
  };
  call.on("cancelled", gone);
  call.on("close", gone);
  cache.watch(spec, sink, () => finished || call.cancelled).catch((err: unknown) => finish(err));
}
