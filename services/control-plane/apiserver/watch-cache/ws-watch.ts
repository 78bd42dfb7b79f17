/**
 * GET /watch as a WebSocket, with the semantics of the gRPC Watch: the query names the kind,
 * namespace, selectors, resourceVersion and allowBookmarks; each event is a JSON text frame
 * `{"type":"ADDED","object":{...}}` (bytes shared by every socket that receives it). An error
 * is a final frame `{"type":"ERROR","object":<a Kubernetes Status>}` followed by a close, as
 * Kubernetes sends it, so a client relists on code 410 and resumes on anything else.
 */
import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import { type WebSocket, WebSocketServer } from "ws";
import { ApiError, causesOf, type StatusReason } from "../api-error.js";
import type { CacheWatcher, WatchSink } from "./cache-watcher.js";
import type { WatchCache } from "./watch-cache.js";
import { parseWatchParams } from "./watch-request.js";

export interface WatchWebSocketOptions {
  /** The URL path served; upgrades to any other path are left to other listeners. @default "/watch" */
  path?: string;
  /** A watcher pauses while its socket holds more unsent bytes than this. @default 1048576 */
  bufferedBytesMax?: number;
  /** Largest frame a client may send (clients have nothing to say). @default 4096 */
  incomingBytesMax?: number;
  /** How long close() waits for sockets to close before cutting them. @default 2000 */
  closeTimeoutMs?: number;
}

/** HTTP status codes of Kubernetes' reasons, for the Status object of an ERROR frame. */
export const HTTP_CODE_OF_REASON: Readonly<Record<StatusReason, number>> = {
  NotFound: 404,
  AlreadyExists: 409,
  Conflict: 409,
  Invalid: 422,
  BadRequest: 400,
  RequestEntityTooLarge: 413,
  Expired: 410,
  Gone: 410,
  TooManyRequests: 429,
  ServiceUnavailable: 503,
  Timeout: 504,
  InternalError: 500,
};

/** Serves GET /watch?kind=...&namespace=&labelSelector=&fieldSelector=&resourceVersion=&allowBookmarks=true. */
export function attachWatchWebSocket(
  server: Server,
  cache: WatchCache,
  options: WatchWebSocketOptions = {},
): { close(): Promise<void> } {
  const path = options.path ?? "/watch";
  const bufferedBytesMax = options.bufferedBytesMax ?? 1 << 20;
  const closeTimeoutMs = options.closeTimeoutMs ?? 2_000;
  const wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    maxPayload: options.incomingBytesMax ?? 4096,
  });
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (url.pathname !== path) return;
    wss.handleUpgrade(req, socket, head, (ws) => serveSocket(ws, url.searchParams, cache, bufferedBytesMax));
  };
  server.on("upgrade", onUpgrade);
  return {
    close: async () => {
      server.off("upgrade", onUpgrade);
      const closing = [...wss.clients].map((ws) => closeSocket(ws, closeTimeoutMs));
      await Promise.all(closing);
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

function serveSocket(ws: WebSocket, q: URLSearchParams, cache: WatchCache, bufferedBytesMax: number): void {
  let finished = false;
  let watcher: CacheWatcher | undefined;
  const finish = (error: unknown): void => {
    if (finished) return;
    finished = true;
    if (ws.readyState !== ws.OPEN) return;
    if (error !== undefined) ws.send(JSON.stringify({ type: "ERROR", object: statusOf(error) }));
    ws.close(1000);
  };
  ws.on("close", () => {
    finished = true;
    watcher?.cancel();
  });
  ws.on("error", () => {
    watcher?.cancel();
  });
  let spec: ReturnType<typeof parseWatchParams>;
  try {
    spec = parseWatchParams({
      kind: q.get("kind") ?? "",
      namespace: q.get("namespace") ?? "",
      label_selector: q.get("labelSelector") ?? "",
      field_selector: q.get("fieldSelector") ?? "",
      resource_version: q.get("resourceVersion") ?? "",
      allow_bookmarks: q.get("allowBookmarks") === "true" || q.get("allowBookmarks") === "1",
    });
  } catch (err) {
    finish(err);
    return;
  }
  let paused = false;
  const afterSend = (): void => {
    if (paused && ws.bufferedAmount <= bufferedBytesMax / 2) {
      paused = false;
      watcher?.resume();
    }
  };
  const sink: WatchSink = {
    send: (ev) => {
      ws.send(ev.object.frame(ev.type), { binary: false }, afterSend);
      paused = ws.bufferedAmount > bufferedBytesMax;
      return !paused;
    },
    close: (error) => finish(error),
    started: (w) => {
      watcher = w;
    },
  };
  cache.watch(spec, sink, () => finished).catch((err: unknown) => finish(err));
}

/** Kubernetes' Status object for an error. */
export function statusOf(error: unknown): Record<string, unknown> {
  const e =
    error instanceof ApiError
      ? error
      : new ApiError("InternalError", error instanceof Error ? error.message : String(error));
  const status: Record<string, unknown> = {
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message: e.message,
    reason: e.reason,
    code: HTTP_CODE_OF_REASON[e.reason],
  };
  if (e.causes.length > 0) status.details = { causes: causesOf(e.causes) };
  return status;
}

function closeSocket(ws: WebSocket, timeoutMs: number): Promise<void> {
  return new Promise<void>((resolve) => {
    if (ws.readyState === ws.CLOSED) {
      resolve();
      return;
    }
    const timer = setTimeout(() => {
      ws.terminate();
      resolve();
    }, timeoutMs);
    ws.once("close", () => {
      clearTimeout(timer);
      resolve();
    });
    ws.close(1001, "server shutting down");
  });
}
