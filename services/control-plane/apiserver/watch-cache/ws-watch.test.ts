/**
 * GET /watch over a real WebSocket (the ws client) on a node:http server: the semantics of
 * the gRPC Watch, JSON text frames, and errors as a final ERROR frame with a Status.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { pod, settle, TestStore } from "./testing.js";
import { WatchCache } from "./watch-cache.js";
import { attachWatchWebSocket } from "./ws-watch.js";

interface Frame {
  readonly type: string;
  readonly object: {
    kind?: string;
    metadata?: { name?: string; resourceVersion?: string };
    [k: string]: unknown;
  };
}

interface Client {
  readonly frames: Frame[];
  readonly textFrames: boolean[];
  closeCode: number | undefined;
  readonly closed: Promise<number>;
  readonly ws: WebSocket;
}

describe("attachWatchWebSocket", () => {
  let t: TestStore;
  let cache: WatchCache;
  let server: Server;
  let handle: { close(): Promise<void> };
  let base: string;

  beforeAll(async () => {
    t = new TestStore();
    cache = new WatchCache(t.store, { historyRevisionsMax: 2, bookmarkIntervalMs: 10 });
    for (let i = 0; i < 5; i++) t.putObject(pod("default", `old${i}`));
    cache.start();
    server = createServer((_req, res) => {
      res.statusCode = 404;
      res.end();
    });
    handle = attachWatchWebSocket(server, cache);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/watch`;
    await settle();
  });

  afterAll(async () => {
    await handle.close();
    cache.stop();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  function connect(query: Record<string, string>): Promise<Client> {
    const ws = new WebSocket(`${base}?${new URLSearchParams(query).toString()}`);
    const c: Client = {
      ws,
      frames: [],
      textFrames: [],
      closeCode: undefined,
      closed: new Promise<number>((resolve) => ws.on("close", (code) => resolve(code))),
    };
    ws.on("message", (data, isBinary) => {
      c.textFrames.push(!isBinary);
      c.frames.push(JSON.parse(String(data)) as Frame);
    });
    void c.closed.then((code) => {
      c.closeCode = code;
    });
    return new Promise((resolve, reject) => {
      ws.once("open", () => resolve(c));
      ws.once("error", reject);
    });
  }

  async function until(cond: () => boolean, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!cond()) {
      if (Date.now() > deadline) throw new Error("condition not reached in time");
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  const names = (c: Client) =>
    c.frames.filter((f) => f.type !== "BOOKMARK").map((f) => `${f.type} ${f.object.metadata?.name ?? ""}`);

  it("sends ADDED for current objects, then changes with selector transitions, as JSON text frames", async () => {
    const c = await connect({
      kind: "pods",
      namespace: "default",
      labelSelector: "app=web",
      resourceVersion: "0",
    });
    t.putObject(pod("default", "old0", { labels: { app: "web" } }));
    t.putObject(pod("other", "x", { labels: { app: "web" } }));
    const last = t.putObject(pod("default", "old0", { labels: { app: "db" } }));
    await until(() => names(c).length >= 2);
    expect(names(c)).toEqual(["ADDED old0", "DELETED old0"]);
    expect(c.frames.at(-1)?.object.metadata?.resourceVersion).toBe(String(last));
    expect(c.textFrames.every((x) => x)).toBe(true);
    c.ws.close();
    await c.closed;
  });

  it("resumes from a resourceVersion and sends BOOKMARKs when allowed", async () => {
    const from = cache.revision;
    const c = await connect({ kind: "po", resourceVersion: String(from), allowBookmarks: "true" });
    const r = t.putObject(pod("default", "new1"));
    await until(() =>
      c.frames.some((f) => f.type === "BOOKMARK" && f.object.metadata?.resourceVersion === String(r)),
    );
    expect(names(c)).toEqual(["ADDED new1"]);
    const bookmarks = c.frames.filter((f) => f.type === "BOOKMARK");
    expect(bookmarks.every((b) => Number(b.object.metadata?.resourceVersion) >= from)).toBe(true);
    expect(bookmarks.at(-1)?.object).toEqual({
      kind: "Pod",
      apiVersion: "v1",
      metadata: { resourceVersion: String(r) },
    });
    c.ws.close();
    await c.closed;
  });

  it("ends a watch from a too old resourceVersion with an ERROR frame (410 Expired), then closes", async () => {
    const c = await connect({ kind: "pods", resourceVersion: "1" });
    const code = await c.closed;
    expect(code).toBe(1000);
    expect(c.frames).toHaveLength(1);
    expect(c.frames[0]).toMatchObject({
      type: "ERROR",
      object: { kind: "Status", apiVersion: "v1", status: "Failure", reason: "Expired", code: 410 },
    });
    expect(String(c.frames[0]?.object.message)).toMatch(/^too old resource version: 1 \(\d+\)$/);
  });

  it("answers a bad selector or an unknown kind with an ERROR frame", async () => {
    const bad = await connect({ kind: "pods", labelSelector: "a b" });
    await bad.closed;
    expect(bad.frames[0]?.object).toMatchObject({ reason: "BadRequest", code: 400 });
    const unknown = await connect({ kind: "widgets" });
    await unknown.closed;
    expect(unknown.frames[0]?.object).toMatchObject({ reason: "NotFound", code: 404 });
  });

  it("a watcher paused by a full socket buffer goes on in order once it drains", async () => {
    const local = createServer();
    const h = attachWatchWebSocket(local, cache, { bufferedBytesMax: 1 });
    await new Promise<void>((resolve) => local.listen(0, "127.0.0.1", resolve));
    const from = cache.revision;
    const ws = new WebSocket(
      `ws://127.0.0.1:${(local.address() as AddressInfo).port}/watch?kind=pods&resourceVersion=${from}`,
    );
    const got: number[] = [];
    ws.on("message", (data) =>
      got.push(Number((JSON.parse(String(data)) as Frame).object.metadata?.resourceVersion)),
    );
    await new Promise((resolve) => ws.once("open", resolve));
    // The client stops reading until the kernel's buffers are full and the server's fill up.
    ws.pause();
    const revs: number[] = [];
    for (let i = 0; i < 200; i++) {
      revs.push(t.putObject(pod("default", `bp${i}`, { image: "x".repeat(100_000) })));
      if (i % 20 === 0) await settle(2);
    }
    await settle();
    ws.resume();
    await until(() => got.length >= revs.length, 10_000);
    expect(got).toEqual(revs);
    ws.close();
    await h.close();
    await new Promise<void>((resolve) => local.close(() => resolve()));
  });

  it("close() closes open sockets and frees their watchers", async () => {
    const local = createServer();
    const localCache = new WatchCache(t.store);
    localCache.start();
    const h = attachWatchWebSocket(local, localCache);
    await new Promise<void>((resolve) => local.listen(0, "127.0.0.1", resolve));
    const ws = new WebSocket(`ws://127.0.0.1:${(local.address() as AddressInfo).port}/watch?kind=pods`);
    const closed = new Promise<number>((resolve) => ws.on("close", (code) => resolve(code)));
    await new Promise((resolve) => ws.once("open", resolve));
    await until(() => localCache.stats.watchers === 1);
    await h.close();
    expect(await closed).toBe(1001);
    await until(() => localCache.stats.watchers === 0);
    localCache.stop();
    await new Promise<void>((resolve) => local.close(() => resolve()));
  });
});
