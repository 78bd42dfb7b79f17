import { status } from "@grpc/grpc-js";
import { afterEach, describe, expect, it } from "vitest";
import { loadProtos } from "../../proto/load.js";
import { type FakeGrpcServer, noLeaderError, serveFakeResources } from "./fake-grpc-server.js";
import {
  ApiClient,
  ApiStatusError,
  FakeResourceApi,
  isExpired,
  isInvalid,
  isNotFound,
  type KubeObject,
  SharedInformer,
} from "./index.js";

const protos = loadProtos();
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

function cm(name: string): KubeObject {
  return { apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: "default" }, data: { k: "v" } };
}

/** Servers over one shared store, like masters of one cluster; `calls` counts what each answered. */
async function masters(
  n: number,
  intercept: (index: number, method: string) => ApiStatusError | undefined = () => undefined,
) {
  const store = new FakeResourceApi();
  const calls: string[][] = [];
  const servers: FakeGrpcServer[] = [];
  for (let i = 0; i < n; i++) {
    calls.push([]);
    const s = await serveFakeResources(store, {
      protos,
      intercept: (method) => {
        calls[i]?.push(method);
        return intercept(i, method);
      },
    });
    servers.push(s);
    cleanups.push(() => s.kill());
  }
  return { store, servers, calls };
}

function client(endpoints: string[]): ApiClient {
  const c = new ApiClient(endpoints, { protos, callTimeoutMs: 5_000, backoff: { baseMs: 1, maxMs: 5 } });
  cleanups.push(() => c.close());
  return c;
}

/** A loopback address nobody listens on: a server started and killed. */
async function deadEndpoint(): Promise<string> {
  const s = await serveFakeResources(new FakeResourceApi(), { protos });
  s.kill();
  return s.address;
}

describe("ApiClient", () => {
  it("gets its answer from the second master when the first has no leader, for reads and writes", async () => {
    const { servers, calls } = await masters(2, (i) => (i === 0 ? noLeaderError() : undefined));
    const api = client(servers.map((s) => s.address));
    const pods = api.resource<KubeObject>("configmaps", "default");
    const created = await pods.create(cm("a"));
    expect(created.metadata.resourceVersion).toBe("1");
    expect((await pods.get("a")).metadata.name).toBe("a");
    expect(calls[0]).toEqual(["Create"]);
    expect(calls[1]).toEqual(["Create", "Get"]);
  });

  it("fails over from a master that is down, for reads and writes", async () => {
    const { servers } = await masters(1);
    const api = client([await deadEndpoint(), servers[0]?.address ?? ""]);
    const c = api.resource<KubeObject>("configmaps", "default");
    await c.create(cm("a"));
    expect((await c.list()).items.map((o) => o.metadata.name)).toEqual(["a"]);
    expect(api.currentEndpoint).toBe(servers[0]?.address);
  });

  it("does not retry a write that may have happened, but retries a read", async () => {
    // UNAVAILABLE without the server's reason: as if the connection dropped after the request was sent.
    const dropped = () => new ApiStatusError(status.UNAVAILABLE, "", "connection dropped");
    const { servers, calls } = await masters(2, (i, m) => (i === 0 && m !== "Watch" ? dropped() : undefined));
    const api = client(servers.map((s) => s.address));
    const c = api.resource<KubeObject>("configmaps", "default");
    const err = await c.create(cm("a")).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiStatusError);
    expect((err as ApiStatusError).code).toBe(status.UNAVAILABLE);
    expect(calls[1]).toEqual([]);
    // the client moved on, so the next call goes to the second master
    await c.create(cm("a"));
    const api2 = client(servers.map((s) => s.address));
    expect((await api2.resource<KubeObject>("configmaps", "default").get("a")).metadata.name).toBe("a");
    expect(calls[0]).toEqual(["Create", "Get"]);
  });

  it("retries a read that timed out on another master, but not a write", async () => {
    const timeout = () => new ApiStatusError(status.DEADLINE_EXCEEDED, "Timeout", "deadline exceeded");
    const { servers, calls } = await masters(2, (i) => (i === 0 ? timeout() : undefined));
    const c = client(servers.map((s) => s.address)).resource<KubeObject>("configmaps", "default");
    expect((await c.list()).items).toEqual([]);
    expect(calls).toEqual([["List"], ["List"]]);
    const c2 = client(servers.map((s) => s.address)).resource<KubeObject>("configmaps", "default");
    const err = (await c2.create(cm("a")).catch((e: unknown) => e)) as ApiStatusError;
    expect(err.reason).toBe("Timeout");
    expect(calls).toEqual([["List", "Create"], ["List"]]);
  });

  it("finds a master again after it restarts on the same address", async () => {
    const store = new FakeResourceApi();
    await store.create({
      kind: "configmaps",
      namespace: "default",
      object: Buffer.from(JSON.stringify(cm("a"))),
    });
    const first = await serveFakeResources(store, { protos });
    const c = client([first.address]).resource<KubeObject>("configmaps", "default");
    expect((await c.get("a")).metadata.name).toBe("a");
    first.kill();
    expect(await c.get("a").catch((e: unknown) => (e as ApiStatusError).code)).toBe(status.UNAVAILABLE);
    const port = Number(first.address.split(":")[1]);
    const second = await serveFakeResources(store, { protos, port });
    cleanups.push(() => second.kill());
    let name: string | undefined;
    await until(() => {
      void c.get("a").then(
        (o) => (name = o.metadata.name),
        () => {},
      );
      return name === "a";
    });
  });

  it("gives up after maxAttempts when every master is down", async () => {
    const api = new ApiClient([await deadEndpoint(), await deadEndpoint()], {
      protos,
      maxAttempts: 3,
      backoff: { baseMs: 1, maxMs: 2 },
    });
    cleanups.push(() => api.close());
    const err = await api
      .resource<KubeObject>("configmaps")
      .get("x")
      .catch((e: unknown) => e);
    expect((err as ApiStatusError).code).toBe(status.UNAVAILABLE);
  });

  it("turns statuses into typed errors with the reason and causes from the trailers", async () => {
    const invalid = new ApiStatusError(status.INVALID_ARGUMENT, "Invalid", 'ConfigMap "x" is invalid', [
      { field: "metadata.name", reason: "FieldValueInvalid", message: "metadata.name: Invalid value" },
    ]);
    const { servers } = await masters(1, (_i, m) => (m === "Create" ? invalid : undefined));
    const c = client([servers[0]?.address ?? ""]).resource<KubeObject>("configmaps", "default");
    const notFound = await c.get("nope").catch((e: unknown) => e);
    expect(isNotFound(notFound)).toBe(true);
    const bad = (await c.create(cm("x")).catch((e: unknown) => e)) as ApiStatusError;
    expect(isInvalid(bad)).toBe(true);
    expect(bad.name).toBe("ApiStatusError");
    expect(bad.message).toBe('ConfigMap "x" is invalid');
    expect(bad.causes).toEqual([
      { field: "metadata.name", reason: "FieldValueInvalid", message: "metadata.name: Invalid value" },
    ]);
  });

  it("reports a compacted watch as Expired", async () => {
    const { store, servers } = await masters(1);
    const c = client([servers[0]?.address ?? ""]).resource<KubeObject>("configmaps", "default");
    await c.create(cm("a"));
    await c.create(cm("b"));
    store.compact();
    const w = c.watch({ resourceVersion: "1" });
    const err = await (async () => {
      for await (const _ of w) {
        /* no events expected */
      }
    })().catch((e: unknown) => e);
    expect(isExpired(err)).toBe(true);
  });

  it("an informer keeps converging when the master it watches is killed", async () => {
    const { store, servers } = await masters(2);
    const api = client(servers.map((s) => s.address));
    const writer = store.resource<KubeObject>("configmaps", "default");
    await writer.create(cm("a"));
    const seen: string[] = [];
    const informer = new SharedInformer<KubeObject>(api.resource<KubeObject>("configmaps"), {
      backoff: { baseMs: 1, maxMs: 10 },
    });
    informer.addEventHandler({
      onAdd: (o) => seen.push(`add ${o.metadata.name}`),
      onUpdate: (_, o) => seen.push(`update ${o.metadata.name} ${o.metadata.resourceVersion}`),
      onDelete: (o) => seen.push(`delete ${o.metadata.name}`),
    });
    cleanups.push(() => void informer.stop());
    informer.start();
    expect(await informer.waitForSync({ timeoutMs: 10_000 })).toBe(true);
    await writer.create(cm("b"));
    await until(() => seen.length === 2);
    servers[0]?.kill();
    await writer.patch("a", { data: { k: "w" } });
    await writer.delete("b");
    await until(() => seen.length === 4);
    expect(seen).toEqual(["add a", "add b", "update a 3", "delete b"]);
    expect(api.currentEndpoint).toBe(servers[1]?.address);
    expect(informer.lister.list().map((o) => o.metadata.resourceVersion)).toEqual(["3"]);
    await informer.stop();
  });
});

/** Polls `cond` every 10 ms, failing after 10 s. */
async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 1_000; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error("condition not met within 10 s");
}
