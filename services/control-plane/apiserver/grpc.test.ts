/**
 * apipb.Resources over real gRPC on loopback, with the generated client type: the envelope,
 * status codes, `flotilla-reason` / `flotilla-causes`, and the Watch stream from the cache.
 */
import { credentials, type ServiceError, status } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ResourcesClient } from "../../../proto/generated/flotilla/apipb/Resources.js";
import type { WatchEvent__Output } from "../../../proto/generated/flotilla/apipb/WatchEvent.js";
import { loadProtos } from "../../../proto/load.js";
import {
  type EtcdServer,
  FakeBackend,
  NoLeaderError,
  startEtcdServer,
  TooManyRequestsError,
} from "../etcd/index.js";
import { type ApiServer, startApiServer } from "./api-server.js";
import { json, pod } from "./testing.js";

type Reply<T> = { ok: true; value: T } | { ok: false; error: ServiceError };

function call<Req, Res>(
  fn: (req: Req, cb: (err: ServiceError | null, res?: Res) => void) => unknown,
  req: Req,
): Promise<Reply<Res>> {
  return new Promise((resolve) =>
    fn(req, (err, res) => resolve(err ? { ok: false, error: err } : { ok: true, value: res as Res })),
  );
}

function failure<T>(r: Reply<T>): { code: string; reason: string; details: string; causes: unknown } {
  if (r.ok) throw new Error("expected the call to fail");
  const causes = r.error.metadata.get("flotilla-causes")[0];
  return {
    code: status[r.error.code],
    reason: String(r.error.metadata.get("flotilla-reason")[0]),
    details: r.error.details,
    causes: causes === undefined ? undefined : JSON.parse(String(causes)),
  };
}

function value<T>(r: Reply<T>): T {
  if (!r.ok) throw new Error(`call failed: ${status[r.error.code]} ${r.error.details}`);
  return r.value;
}

const obj = (bytes: Buffer) => JSON.parse(bytes.toString("utf8"));

describe("apipb.Resources over gRPC", () => {
  let backend: FakeBackend;
  let api: ApiServer;
  let server: EtcdServer;
  let client: ResourcesClient;

  beforeAll(async () => {
    const protos = loadProtos();
    backend = new FakeBackend();
    api = startApiServer({
      backend,
      protos,
      watchCache: { bookmarkIntervalMs: 1000 },
      handlers: { cacheWaitMs: 50 },
    });
    await api.bootstrap({ retryDelayMs: 10, deadlineMs: 5000 });
    server = await startEtcdServer({ backend, protos, extraServices: [api.service] });
    client = new protos.apipb.Resources(
      server.address,
      credentials.createInsecure(),
    ) as unknown as ResourcesClient;
  });
  afterAll(async () => {
    client.close();
    await api.close();
    await server.close(100);
    backend.close();
  });

  const create = (kind: string, namespace: string, body: unknown) =>
    call(client.Create.bind(client), { kind, namespace, object: Buffer.isBuffer(body) ? body : json(body) });

  it("creates, gets, lists, updates and deletes", async () => {
    const created = obj(value(await create("pods", "default", pod("rt"))).object);
    expect(created.metadata).toMatchObject({ name: "rt", namespace: "default", generation: 1 });
    const got = obj(
      value(await call(client.Get.bind(client), { kind: "Pod", namespace: "default", name: "rt" })).object,
    );
    expect(got).toEqual(created);
    const listed = value(await call(client.List.bind(client), { kind: "po", namespace: "default" }));
    expect(listed.items.map((b) => obj(b).metadata.name)).toContain("rt");
    const updated = obj(
      value(
        await call(client.Update.bind(client), {
          kind: "Pod",
          namespace: "default",
          object: json({ ...created, metadata: { ...created.metadata, labels: { a: "b" } } }),
        }),
      ).object,
    );
    expect(Number(updated.metadata.resourceVersion)).toBeGreaterThan(
      Number(created.metadata.resourceVersion),
    );
    value(await call(client.Delete.bind(client), { kind: "Pod", namespace: "default", name: "rt" }));
    expect(
      failure(await call(client.Get.bind(client), { kind: "Pod", namespace: "default", name: "rt" })),
    ).toMatchObject({
      code: "NOT_FOUND",
      reason: "NotFound",
      details: 'pods "rt" not found',
    });
  });

  it("a stale resourceVersion is ABORTED with the Conflict reason and Kubernetes' message", async () => {
    const created = obj(
      value(
        await create("ConfigMap", "default", {
          apiVersion: "v1",
          kind: "ConfigMap",
          metadata: { name: "cf" },
          data: { v: "1" },
        }),
      ).object,
    );
    value(
      await call(client.Update.bind(client), {
        kind: "ConfigMap",
        namespace: "default",
        object: json({ ...created, data: { v: "2" } }),
      }),
    );
    const stale = await call(client.Update.bind(client), {
      kind: "ConfigMap",
      namespace: "default",
      object: json({ ...created, data: { v: "3" } }),
    });
    expect(failure(stale)).toEqual({
      code: "ABORTED",
      reason: "Conflict",
      details:
        'Operation cannot be fulfilled on configmaps "cf": the object has been modified; please apply your changes to the latest version and try again',
      causes: undefined,
    });
  });

  it("bad input gets its status, reason and message, and writes nothing", async () => {
    const invalid = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "d" },
      spec: {
        replicas: -1,
        selector: { matchLabels: { a: "b" } },
        template: { metadata: { labels: { a: "b" } }, spec: { containers: [{ name: "c", image: "i" }] } },
      },
    };
    const huge = {
      ...pod("huge"),
      metadata: { name: "huge", annotations: { a: "x".repeat(1.6 * 1024 * 1024) } },
    };
    const cases: Array<[string, string, unknown, string, string, RegExp]> = [
      ["Pod", "default", Buffer.from("{nope"), "INVALID_ARGUMENT", "BadRequest", /not valid JSON/],
      [
        "Pod",
        "default",
        { apiVersion: "v1", kind: "Service", metadata: { name: "s" } },
        "INVALID_ARGUMENT",
        "BadRequest",
        /the kind in the body "Service" does not match the request "Pod"/,
      ],
      [
        "Deployment",
        "default",
        invalid,
        "INVALID_ARGUMENT",
        "Invalid",
        /^Deployment "d" is invalid: .*spec\.replicas/,
      ],
      ["Pod", "default", huge, "INVALID_ARGUMENT", "RequestEntityTooLarge", /limit is 1572864/],
      [
        "Foo",
        "default",
        { apiVersion: "v1", kind: "Foo", metadata: { name: "f" } },
        "NOT_FOUND",
        "NotFound",
        /could not find the requested resource \(kind "Foo"\)/,
      ],
      ["Pod", "nope", pod("p"), "NOT_FOUND", "NotFound", /^namespaces "nope" not found$/],
    ];
    for (const [kind, namespace, body, code, reason, details] of cases) {
      const before = backend.store.currentRevision;
      const f = failure(await create(kind, namespace, body));
      expect({ code: f.code, reason: f.reason }).toEqual({ code, reason });
      expect(f.details).toMatch(details);
      if (reason === "Invalid")
        expect(f.causes).toContainEqual(expect.objectContaining({ field: "spec.replicas" }));
      expect(backend.store.currentRevision).toBe(before);
    }
  });

  it("backend failures map to UNAVAILABLE and RESOURCE_EXHAUSTED", async () => {
    backend.failNext("propose", new NoLeaderError());
    expect(failure(await create("Pod", "default", pod("nl")))).toMatchObject({
      code: "UNAVAILABLE",
      reason: "ServiceUnavailable",
    });
    backend.failNext("propose", new TooManyRequestsError());
    expect(failure(await create("Pod", "default", pod("tm")))).toMatchObject({
      code: "RESOURCE_EXHAUSTED",
      reason: "TooManyRequests",
    });
  });

  it("lists in pages with continue tokens and remaining_item_count", async () => {
    for (let i = 0; i < 5; i++)
      value(
        await create("ConfigMap", "kube-public", {
          apiVersion: "v1",
          kind: "ConfigMap",
          metadata: { name: `page-${i}` },
        }),
      );
    const seen: string[] = [];
    let token = "";
    const remaining: string[] = [];
    do {
      const page = value(
        await call(client.List.bind(client), {
          kind: "configmaps",
          namespace: "kube-public",
          limit: 2,
          continue: token,
        }),
      );
      seen.push(...page.items.map((b) => obj(b).metadata.name));
      remaining.push(page.remaining_item_count);
      token = page.continue;
    } while (token !== "" && seen.length < 10);
    expect(seen).toEqual(["page-0", "page-1", "page-2", "page-3", "page-4"]);
    expect(remaining).toEqual(["3", "1", "0"]);
  });

  it("reads from the watch cache at resourceVersion 0 and N, and times out on a future N", async () => {
    const c = obj(
      value(
        await create("ConfigMap", "default", {
          apiVersion: "v1",
          kind: "ConfigMap",
          metadata: { name: "cached" },
        }),
      ).object,
    );
    const rv = c.metadata.resourceVersion as string;
    const atN = obj(
      value(
        await call(client.Get.bind(client), {
          kind: "cm",
          namespace: "default",
          name: "cached",
          resource_version: rv,
        }),
      ).object,
    );
    expect(atN.metadata.resourceVersion).toBe(rv);
    const list0 = value(
      await call(client.List.bind(client), {
        kind: "configmaps",
        namespace: "default",
        resource_version: "0",
      }),
    );
    expect(Number(list0.resource_version)).toBeGreaterThan(0);
    const listN = value(
      await call(client.List.bind(client), {
        kind: "configmaps",
        namespace: "default",
        resource_version: rv,
      }),
    );
    expect(listN.items.map((b) => obj(b).metadata.name)).toContain("cached");
    const future = String(backend.store.currentRevision + 1000);
    expect(
      failure(
        await call(client.Get.bind(client), {
          kind: "cm",
          namespace: "default",
          name: "cached",
          resource_version: future,
        }),
      ),
    ).toMatchObject({
      code: "DEADLINE_EXCEEDED",
      reason: "Timeout",
    });
  });

  it("serves UpdateStatus, Patch and Delete preconditions", async () => {
    const p = obj(value(await create("Pod", "default", pod("st"))).object);
    const withStatus = obj(
      value(
        await call(client.UpdateStatus.bind(client), {
          kind: "Pod",
          namespace: "default",
          object: json({ ...p, spec: { ...p.spec, nodeName: "ignored" }, status: { phase: "Running" } }),
        }),
      ).object,
    );
    expect(withStatus.status.phase).toBe("Running");
    expect(withStatus.spec.nodeName).toBeUndefined();
    const patched = obj(
      value(
        await call(client.Patch.bind(client), {
          kind: "Pod",
          namespace: "default",
          name: "st",
          patch: json({ metadata: { labels: { x: "y" } } }),
        }),
      ).object,
    );
    expect(patched.metadata.labels).toEqual({ x: "y" });
    expect(patched.status.phase).toBe("Running");
    const stale = await call(client.Delete.bind(client), {
      kind: "Pod",
      namespace: "default",
      name: "st",
      preconditions: { uid: p.metadata.uid, resource_version: p.metadata.resourceVersion },
    });
    expect(failure(stale)).toMatchObject({
      code: "ABORTED",
      reason: "Conflict",
      details: expect.stringMatching(/^Precondition failed: ResourceVersion/),
    });
    value(
      await call(client.Delete.bind(client), {
        kind: "Pod",
        namespace: "default",
        name: "st",
        preconditions: { uid: p.metadata.uid, resource_version: patched.metadata.resourceVersion },
      }),
    );
  });

  it("Watch streams the changes after a resourceVersion from the watch cache", async () => {
    const first = obj(
      value(
        await create("ConfigMap", "default", {
          apiVersion: "v1",
          kind: "ConfigMap",
          metadata: { name: "w0" },
        }),
      ).object,
    );
    const stream = client.Watch({
      kind: "configmaps",
      namespace: "default",
      resource_version: first.metadata.resourceVersion,
    });
    const events: Array<{ type: string; name: string }> = [];
    const done = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`watch saw only ${JSON.stringify(events)}`)), 10_000);
      stream.on("data", (e: WatchEvent__Output) => {
        events.push({ type: e.type, name: obj(e.object).metadata?.name });
        if (events.length === 3) {
          clearTimeout(timer);
          resolve();
        }
      });
      stream.on("error", (e: ServiceError) => {
        if (e.code !== status.CANCELLED) reject(e);
      });
    });
    value(
      await create("ConfigMap", "default", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "w1" } }),
    );
    value(
      await call(client.Patch.bind(client), {
        kind: "configmaps",
        namespace: "default",
        name: "w1",
        patch: json({ data: { a: "b" } }),
      }),
    );
    value(await call(client.Delete.bind(client), { kind: "configmaps", namespace: "default", name: "w1" }));
    await done;
    stream.cancel();
    expect(events).toEqual([
      { type: "ADDED", name: "w1" },
      { type: "MODIFIED", name: "w1" },
      { type: "DELETED", name: "w1" },
    ]);
  });
});
