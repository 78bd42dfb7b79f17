/**
 * The watch cache of a master: one store watch on /registry/ serving cached gets and lists
 * and every client watch, over gRPC (apipb.Resources Watch) and WebSocket (/watch).
 */

export type { OutgoingEvent, WatchEventType, WatchSink } from "./cache-watcher.js";
export { CacheWatcher } from "./cache-watcher.js";
export type { CachedObject } from "./cached-object.js";
export { type ServeGrpcWatchOptions, serveGrpcWatch } from "./grpc-watch.js";
export { WatchCache, type WatchCacheOptions, type WatchCacheStats } from "./watch-cache.js";
export { parseWatchParams, type WatchParams, type WatchSpec, type WatchStart } from "./watch-request.js";
export {
  attachWatchWebSocket,
  HTTP_CODE_OF_REASON,
  statusOf,
  type WatchWebSocketOptions,
} from "./ws-watch.js";
