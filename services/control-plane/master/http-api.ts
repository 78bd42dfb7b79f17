/**
 * The master's HTTP endpoint (node:http): health for supervisors, status for `flotilla
 * status`, and the partition admin API for tests and `flotilla partition`.
 *
 *   GET  /healthz          200 "ok" while serving, else 503
 *   GET  /readyz           200 "ok" when a leader is known and this member applied up to its commit, else 503
 *   GET  /status           JSON (see MasterStatus)
 *   GET  /metrics          Prometheus text format (404 when the target has no `metrics`)
 *   POST /admin/partition  {block:[{peer, direction: in|out|both}], delay:[{peer, ms}]} → partition state
 *   POST /admin/heal       removes every block and delay → partition state
 *
 * Errors are JSON `{error}` with 400 (bad request body), 404, 405 or 500.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { DELAY_MS_MAX, type PartitionDirection } from "../raft/index.js";

/** A validated POST /admin/partition body. */
export interface PartitionRequest {
  readonly block: ReadonlyArray<{ readonly peer: string; readonly direction: PartitionDirection }>;
  readonly delay: ReadonlyArray<{ readonly peer: string; readonly ms: number }>;
}

/** What the HTTP API reads from and acts on. */
export interface HttpApiTarget {
  healthy(): boolean;
  ready(): boolean;
  status(): object;
  /** Applies blocks and delays (added to those in place); throws RequestError for an unknown peer. */
  partition(req: PartitionRequest): object;
  heal(): object;
  /** What GET /metrics serves; a prom-client Registry fits. @default none (404) */
  readonly metrics?: MetricsSource;
}

/** A Prometheus exposition: the text and its content type (prom-client's Registry has both). */
export interface MetricsSource {
  readonly contentType: string;
  metrics(): Promise<string>;
}

/** A request the client got wrong: answered 400 with the message. */
export class RequestError extends Error {
  override readonly name = "RequestError";
}

export interface HttpApi {
  readonly port: number;
  /**
   * The node:http server, for handlers that need more than a request and a response (a
   * WebSocket upgrade on /watch). Requests still go through the routes above.
   */
  readonly server: Server;
  close(): Promise<void>;
}

const BODY_BYTES_MAX = 64 * 1024;

export async function startHttpApi(host: string, port: number, target: HttpApiTarget): Promise<HttpApi> {
  const server = createServer((req, res) => {
    handle(target, req, res).catch((err: unknown) => {
      const code = err instanceof RequestError ? 400 : 500;
      sendJson(res, code, { error: err instanceof Error ? err.message : String(err) });
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function handle(target: HttpApiTarget, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = new URL(req.url ?? "/", "http://x").pathname;
  const route = ROUTES[path];
  if (route === undefined) return sendJson(res, 404, { error: `no such path ${path}` });
  if (req.method !== route.method)
    return sendJson(res, 405, { error: `${path} takes ${route.method}, not ${req.method}` });
  switch (path) {
    case "/healthz":
      return sendText(res, target.healthy() ? 200 : 503, target.healthy() ? "ok" : "not serving");
    case "/readyz":
      return sendText(res, target.ready() ? 200 : 503, target.ready() ? "ok" : "not ready");
    case "/status":
      return sendJson(res, 200, target.status());
    case "/metrics": {
      if (target.metrics === undefined) return sendJson(res, 404, { error: "metrics are not served here" });
      const text = await target.metrics.metrics();
      res.writeHead(200, { "content-type": target.metrics.contentType });
      return void res.end(text);
    }
    case "/admin/partition":
      return sendJson(res, 200, target.partition(parsePartition(await readJson(req))));
    case "/admin/heal":
      await readBody(req);
      return sendJson(res, 200, target.heal());
  }
}

const ROUTES: Record<string, { method: string }> = {
  "/healthz": { method: "GET" },
  "/readyz": { method: "GET" },
  "/status": { method: "GET" },
  "/metrics": { method: "GET" },
  "/admin/partition": { method: "POST" },
  "/admin/heal": { method: "POST" },
};

function parsePartition(body: unknown): PartitionRequest {
  if (typeof body !== "object" || body === null || Array.isArray(body))
    throw new RequestError("body must be a JSON object {block:[...], delay:[...]}");
  const { block = [], delay = [] } = body as { block?: unknown; delay?: unknown };
  if (!Array.isArray(block)) throw new RequestError("block must be a list");
  if (!Array.isArray(delay)) throw new RequestError("delay must be a list");
  return {
    block: block.map((b: unknown, i) => {
      const { peer, direction = "both" } = (b ?? {}) as { peer?: unknown; direction?: unknown };
      if (typeof peer !== "string" || peer === "")
        throw new RequestError(`block[${i}].peer must be a member name`);
      if (direction !== "in" && direction !== "out" && direction !== "both")
        throw new RequestError(`block[${i}].direction must be in, out or both`);
      return { peer, direction };
    }),
    delay: delay.map((d: unknown, i) => {
      const { peer, ms } = (d ?? {}) as { peer?: unknown; ms?: unknown };
      if (typeof peer !== "string" || peer === "")
        throw new RequestError(`delay[${i}].peer must be a member name`);
      if (typeof ms !== "number" || !Number.isFinite(ms) || ms < 0 || ms > DELAY_MS_MAX)
        throw new RequestError(`delay[${i}].ms must be a number from 0 to ${DELAY_MS_MAX}`);
      return { peer, ms };
    }),
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  let size = 0;
  const parts: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > BODY_BYTES_MAX) throw new RequestError(`body larger than ${BODY_BYTES_MAX} bytes`);
    parts.push(chunk);
  }
  return Buffer.concat(parts).toString("utf8");
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const text = await readBody(req);
  try {
    return JSON.parse(text === "" ? "{}" : text);
  } catch {
    throw new RequestError("body is not valid JSON");
  }
}

function sendText(res: ServerResponse, code: number, text: string): void {
  res.writeHead(code, { "content-type": "text/plain; charset=utf-8" });
  res.end(text);
}

function sendJson(res: ServerResponse, code: number, body: unknown): void {
  if (res.headersSent) return void res.end();
  res.writeHead(code, { "content-type": "application/json" });
  res.end(`${JSON.stringify(body)}\n`);
}
