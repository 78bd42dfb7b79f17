/**
 * The Watch RPC over real gRPC on loopback (a server with only apipb.Resources Watch wired to
 * serveGrpcWatch, the generated client type): a thousand streams each receive every event in
 * order, and errors arrive as statuses with Kubernetes' reason.
 */
import {
  type ClientReadableStream,
  credentials,
  Server,
  ServerCredentials,
  type ServiceError,
  status,
} from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ResourcesClient } from "../../../../proto/generated/flotilla/apipb/Resources.js";
import type { WatchEvent__Output } from "../../../../proto/generated/flotilla/apipb/WatchEvent.js";
import type { WatchRequest } from "../../../../proto/generated/flotilla/apipb/WatchRequest.js";
import { loadProtos } from "../../../../proto/load.js";
import { serveGrpcWatch } from "./grpc-watch.js";
import { pod, settle, TestStore } from "./testing.js";
import { WatchCache } from "./watch-cache.js";

interface Stream {
  readonly call: ClientReadableStream<WatchEvent__Output>;
  readonly revisions: number[];
  readonly types: string[];
  error: ServiceError | undefined;
  ended: boolean;
}

describe("serveGrpcWatch", () => {
  let t: TestStore;
  let cache: WatchCache;
  let client: ResourcesClient;
  let closeServer: () => void;

  beforeAll(async () => {
    t = new TestStore();
    cache = new WatchCache(t.store);
    cache.start();
    const served = await serve(cache);
    client = served.client;
    closeServer = () => served.close();
  });

  afterAll(() => {
    closeServer();
    cache.stop();
  });

  function open(req: WatchRequest): Stream {
    const call = client.Watch({ kind: "pods", ...req });
    const s: Stream = { call, revisions: [], types: [], error: undefined, ended: false };
    call.on("data", (ev: WatchEvent__Output) => {
      const o = JSON.parse(ev.object.toString("utf8")) as { metadata: { resourceVersion: string } };
      s.types.push(ev.type);
      s.revisions.push(Number(o.metadata.resourceVersion));
    });
    call.on("error", (err: ServiceError) => {
      s.error = err;
    });
    call.on("end", () => {
      s.ended = true;
    });
    return s;
  }

  async function until(cond: () => boolean, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!cond()) {
      if (Date.now() > deadline) throw new Error("condition not reached in time");
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  it("1,000 concurrent watchers all receive every event, in order", async () => {
    const from = cache.revision;
    const streams: Stream[] = [];
    for (let i = 0; i < 1000; i++) streams.push(open({ resource_version: String(from) }));
    const revs: number[] = [];
    for (let i = 0; i < 200; i++) {
      revs.push(t.putObject(pod("default", `p${i % 50}`, { image: `v${i}` })));
      if (i % 10 === 9) await settle(1);
    }
    await until(
      () => streams.every((s) => s.revisions.length >= revs.length || s.error !== undefined),
      100_000,
    );
    for (const s of streams) {
      expect(s.error).toBeUndefined();
      expect(s.revisions).toEqual(revs);
    }
    expect(streams[0]?.types.slice(0, 51)).toEqual([...Array<string>(50).fill("ADDED"), "MODIFIED"]);
    for (const s of streams) s.call.cancel();
    await until(() => cache.stats.watchers === 0, 10_000);
    expect(cache.stats.watchersDropped).toBe(0);
  }, 120_000);

  it("a client that stops reading is dropped with RESOURCE_EXHAUSTED and where to resume; another gets everything", async () => {
    const local = new WatchCache(t.store, { watcherLagEventsMax: 50 });
    local.start();
    const other = await serve(local);
    const closers: Array<() => void> = [];
    try {
      await local.waitUntilFresh(t.store.currentRevision, 5000);
      const from = local.revision;
      // Separate connections: a stream nobody reads holds its connection's HTTP/2 window too.
      const own = ownClient(other.address);
      closers.push(() => own.close());
      const watch = (client: ResourcesClient): Stream => {
        const call = client.Watch({ kind: "pods", resource_version: String(from) });
        const s: Stream = { call, revisions: [], types: [], error: undefined, ended: false };
        call.on("data", (ev: WatchEvent__Output) => {
          s.revisions.push(
            Number(
              (JSON.parse(ev.object.toString("utf8")) as { metadata: { resourceVersion: string } }).metadata
                .resourceVersion,
            ),
          );
        });
        call.on("error", (err: ServiceError) => {
          s.error = err;
        });
        return s;
      };
      const slow = watch(own);
      const fast = watch(other.client);
      await until(() => local.stats.watchers === 2, 5000);
      slow.call.pause();
      const revs: number[] = [];
      // Batches of 10 big events, each read by the fast client before the next: only the
      // paused one falls behind, until its transport is full and it is more than 50 behind.
      for (let batch = 0; batch < 100 && local.stats.watchersDropped === 0; batch++) {
        for (let i = 0; i < 10; i++) {
          revs.push(t.putObject(pod("default", `big${i}`, { image: "x".repeat(20_000) })));
        }
        await until(() => fast.revisions.length >= revs.length, 30_000);
      }
      for (let i = 0; i < 20; i++) revs.push(t.putObject(pod("default", `after${i}`)));
      await until(() => fast.revisions.length >= revs.length, 30_000);
      expect(fast.revisions).toEqual(revs);
      expect(local.stats.watchersDropped).toBe(1);
      slow.call.resume();
      await until(() => slow.error !== undefined, 30_000);
      expect(slow.error?.code).toBe(status.RESOURCE_EXHAUSTED);
      expect(slow.error?.metadata.get("flotilla-reason")).toEqual(["TooManyRequests"]);
      const m = /resume from resourceVersion (\d+)$/.exec(slow.error?.details ?? "");
      const resume = Number(m?.[1]);
      // What it received is exactly every change up to where it is told to resume.
      expect(slow.revisions).toEqual(revs.filter((r) => r <= resume));
      expect(slow.revisions.length).toBeLessThan(revs.length);
    } finally {
      for (const c of closers) c();
      other.close();
      local.stop();
    }
  });

  it("a compacted or too old resourceVersion ends the stream with OUT_OF_RANGE, reason Expired", async () => {
    for (let i = 0; i < 3; i++) t.putObject(pod("default", `c${i}`));
    t.compact(t.store.currentRevision - 1);
    // A cache started now holds no history below the compaction.
    const late = new WatchCache(t.store, { historyRevisionsMax: 1 });
    late.start();
    const other = await serve(late);
    try {
      const call = other.client.Watch({ kind: "pods", resource_version: "1" });
      const err = await new Promise<ServiceError>((resolve) => {
        call.on("error", resolve);
        call.on("data", () => undefined);
      });
      expect(err.code).toBe(status.OUT_OF_RANGE);
      expect(err.metadata.get("flotilla-reason")).toEqual(["Expired"]);
      expect(err.details).toMatch(/^too old resource version: 1 \(\d+\)$/);
    } finally {
      other.close();
      late.stop();
    }
  });

  it("sends a bad selector and an unknown kind as statuses with flotilla-reason", async () => {
    const cases: Array<[WatchRequest, status, string]> = [
      [{ label_selector: "a b" }, status.INVALID_ARGUMENT, "BadRequest"],
      [{ kind: "widgets" }, status.NOT_FOUND, "NotFound"],
    ];
    for (const [req, code, reason] of cases) {
      const s = open(req);
      await until(() => s.error !== undefined, 5000);
      expect(s.error?.code).toBe(code);
      expect(s.error?.metadata.get("flotilla-reason")).toEqual([reason]);
    }
  });

  it("stop() ends open streams with UNAVAILABLE after the events already written", async () => {
    const local = new WatchCache(t.store);
    local.start();
    const other = await serve(local);
    try {
      const call = other.client.Watch({ kind: "pods", resource_version: "0" });
      let count = 0;
      const done = new Promise<ServiceError>((resolve) => {
        call.on("data", () => count++);
        call.on("error", resolve);
      });
      await until(() => count > 0, 5000);
      local.stop();
      // Every event handed to the stream before stop() arrives before the status.
      const handed = local.stats.eventsDelivered;
      const err = await done;
      expect(count).toBe(handed);
      expect(err.code).toBe(status.UNAVAILABLE);
      expect(err.metadata.get("flotilla-reason")).toEqual(["ServiceUnavailable"]);
    } finally {
      other.close();
    }
  });
});

/** A gRPC server on loopback with only Watch, served from `cache`, and a client of it. */
async function serve(
  cache: WatchCache,
): Promise<{ client: ResourcesClient; address: string; close(): void }> {
  const protos = loadProtos();
  const server = new Server();
  server.addService(protos.apipb.Resources.service, {
    Watch: (call: Parameters<typeof serveGrpcWatch>[0]) => serveGrpcWatch(call, cache),
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  const client = new protos.apipb.Resources(
    `127.0.0.1:${port}`,
    credentials.createInsecure(),
  ) as unknown as ResourcesClient;
  return {
    client,
    address: `127.0.0.1:${port}`,
    close() {
      client.close();
      server.forceShutdown();
    },
  };
}

/** A client on its own connection (not shared through the global subchannel pool). */
function ownClient(address: string): ResourcesClient {
  const protos = loadProtos();
  return new protos.apipb.Resources(address, credentials.createInsecure(), {
    "grpc.use_local_subchannel_pool": 1,
  }) as unknown as ResourcesClient;
}
