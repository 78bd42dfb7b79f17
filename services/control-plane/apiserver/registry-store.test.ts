import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ApiObject } from "../../../libs/api/index.js";
import { utf8 } from "../../../libs/mvcc/index.js";
import {
  FakeBackend,
  ManualClock,
  NoLeaderError,
  TimeoutError,
  TooManyRequestsError,
} from "../etcd/index.js";
import { ApiError } from "./api-error.js";
import { RegistryStore } from "./registry-store.js";

const cm = (name: string, data: Record<string, string> = {}): ApiObject => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name, namespace: "default", resourceVersion: "999" },
  data,
});

describe("RegistryStore", () => {
  let backend: FakeBackend;
  let store: RegistryStore;
  beforeEach(() => {
    backend = new FakeBackend({ clock: new ManualClock() });
    store = new RegistryStore(backend, { objectBytesMax: 4096 });
  });
  afterEach(() => backend.close());

  const raw = (key: string): string | undefined => {
    const out = backend.store.range({ key: utf8(key) });
    if (!out.ok) throw out.error;
    const kv = out.value.range.kvs[0];
    return kv === undefined ? undefined : Buffer.from(kv.value).toString("utf8");
  };

  it("stores JSON without metadata.resourceVersion and reads it back with the key's mod_revision", async () => {
    const out = await store.create("/registry/configmaps/default/a", cm("a", { k: "v" }));
    expect(out.kind).toBe("created");
    const bytes = raw("/registry/configmaps/default/a")!;
    expect(JSON.parse(bytes).metadata).toEqual({ name: "a", namespace: "default" });
    const read = store.readLocal("/registry/configmaps/default/a")!;
    expect(read.modRevision).toBe(backend.store.currentRevision);
    expect(read.object.metadata.resourceVersion).toBe(String(read.modRevision));
    expect(read.object.data).toEqual({ k: "v" });
    if (out.kind === "created")
      expect(out.stored.object.metadata.resourceVersion).toBe(String(read.modRevision));
  });

  it("refuses to create a key twice, and a key whose required key is missing", async () => {
    await store.create("/registry/configmaps/default/a", cm("a"));
    expect((await store.create("/registry/configmaps/default/a", cm("a"))).kind).toBe("exists");
    const missing = await store.create("/registry/configmaps/nope/a", cm("a"), ["/registry/namespaces/nope"]);
    expect(missing).toEqual({ kind: "missing", key: "/registry/namespaces/nope" });
    expect(raw("/registry/configmaps/nope/a")).toBeUndefined();
  });

  it("updates only at the expected mod_revision, reporting what is there on a conflict", async () => {
    await store.create("/registry/configmaps/default/a", cm("a"));
    const first = store.readLocal("/registry/configmaps/default/a")!;
    const ok = await store.update(first.key, cm("a", { v: "2" }), first.modRevision);
    expect(ok.kind).toBe("updated");
    const stale = await store.update(first.key, cm("a", { v: "3" }), first.modRevision);
    expect(stale.kind).toBe("conflict");
    if (stale.kind === "conflict") expect(stale.current?.object.data).toEqual({ v: "2" });
    const gone = await store.update("/registry/configmaps/default/b", cm("b"), 5);
    expect(gone).toEqual({ kind: "conflict", current: undefined });
  });

  it("deletes only when every required prefix is empty", async () => {
    await store.create("/registry/namespaces/team", {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: "team" },
    });
    await store.create("/registry/configmaps/team/a", cm("a"));
    const ns = store.readLocal("/registry/namespaces/team")!;
    const refused = await store.delete(ns.key, ns.modRevision, ["/registry/configmaps/team/"]);
    expect(refused).toEqual({ kind: "notEmpty", prefix: "/registry/configmaps/team/", count: 1 });
    const a = store.readLocal("/registry/configmaps/team/a")!;
    expect((await store.delete(a.key, a.modRevision)).kind).toBe("deleted");
    expect((await store.delete(ns.key, ns.modRevision, ["/registry/configmaps/team/"])).kind).toBe("deleted");
    expect(raw(ns.key)).toBeUndefined();
  });

  it("refuses an object larger than the bound with RequestEntityTooLarge and writes nothing", async () => {
    const before = backend.store.currentRevision;
    await expect(
      store.create("/registry/configmaps/default/big", cm("big", { k: "x".repeat(5000) })),
    ).rejects.toMatchObject({
      reason: "RequestEntityTooLarge",
    });
    expect(backend.store.currentRevision).toBe(before);
  });

  it("reads at an older revision, and reports a compacted one as Expired", async () => {
    await store.create("/registry/configmaps/default/a", cm("a", { v: "1" }));
    const v1 = store.readLocal("/registry/configmaps/default/a")!;
    await store.update(v1.key, cm("a", { v: "2" }), v1.modRevision);
    expect(store.readAt(v1.key, v1.modRevision)?.object.data).toEqual({ v: "1" });
    await backend.propose({ type: "compact", compact: { revision: backend.store.currentRevision } });
    expect(() => store.readAt(v1.key, v1.modRevision)).toThrow(
      expect.objectContaining({ reason: "Expired" }),
    );
  });

  it("maps backend failures to retryable reasons", async () => {
    const cases = [
      [new NoLeaderError(), "ServiceUnavailable"],
      [new TimeoutError(), "Timeout"],
      [new TooManyRequestsError(), "TooManyRequests"],
    ] as const;
    for (const [err, reason] of cases) {
      backend.failNext("propose", err);
      await expect(store.create("/registry/configmaps/default/x", cm("x"))).rejects.toMatchObject({ reason });
      backend.failNext("readIndex", err);
      await expect(store.readLinearizable("/registry/configmaps/default/x")).rejects.toMatchObject({
        reason,
      });
    }
  });

  it("reports a value that is not JSON as an InternalError naming its key", async () => {
    await backend.propose({
      type: "put",
      put: { key: utf8("/registry/configmaps/default/junk"), value: utf8("{nope") },
    });
    expect(() => store.readLocal("/registry/configmaps/default/junk")).toThrow(ApiError);
    expect(() => store.readLocal("/registry/configmaps/default/junk")).toThrow(
      /registry\/configmaps\/default\/junk/,
    );
  });
});
