import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ApiObject } from "../../../libs/api/index.js";
import { NoLeaderError } from "../etcd/index.js";
import { ensureNamespaces } from "./bootstrap.js";
import { type DeleteParams, deleteObject } from "./delete-handler.js";
import { getObject } from "./read-handlers.js";
import { json, pod, startTestApi, type TestApi } from "./testing.js";
import { createObject, patchObject, updateObject } from "./write-handlers.js";

describe("delete", () => {
  let api: TestApi;
  let web: ApiObject;
  beforeEach(async () => {
    api = await startTestApi();
    web = await createObject(api.ctx, "Pod", "default", json(pod("web")));
  });
  afterEach(() => api.close());

  const del = (p: Partial<DeleteParams> = {}) =>
    deleteObject(api.ctx, {
      kind: "pods",
      namespace: "default",
      name: "web",
      uid: "",
      resourceVersion: "",
      ...p,
    });
  const exists = () =>
    getObject(api.ctx, { kind: "pods", namespace: "default", name: "web", resourceVersion: "" }).then(
      () => true,
      () => false,
    );

  it("removes the object and returns it as it was", async () => {
    const gone = await del();
    expect(gone.metadata.uid).toBe(web.metadata.uid);
    expect(await exists()).toBe(false);
    await expect(del()).rejects.toMatchObject({ reason: "NotFound", message: 'pods "web" not found' });
  });

  it("checks the uid and resourceVersion preconditions, and a failed one deletes nothing", async () => {
    await expect(del({ uid: "someone-else" })).rejects.toMatchObject({
      reason: "Conflict",
      message: `Precondition failed: UID in precondition: someone-else, UID in object meta: ${web.metadata.uid}`,
    });
    await patchObject(api.ctx, "pods", "default", "web", json({ metadata: { labels: { a: "b" } } }));
    await expect(del({ resourceVersion: web.metadata.resourceVersion })).rejects.toMatchObject({
      reason: "Conflict",
    });
    expect(await exists()).toBe(true);
    const current = await getObject(api.ctx, {
      kind: "pods",
      namespace: "default",
      name: "web",
      resourceVersion: "",
    });
    await del({ uid: web.metadata.uid, resourceVersion: current.metadata.resourceVersion });
    expect(await exists()).toBe(false);
  });

  it("with finalizers only marks the object; deleting again returns the marked object unchanged", async () => {
    await patchObject(
      api.ctx,
      "pods",
      "default",
      "web",
      json({ metadata: { finalizers: ["example.com/hold"] } }),
    );
    const marked = await del();
    expect(marked.metadata.deletionTimestamp).toBe("2026-01-02T03:04:05Z");
    const before = api.store.revision;
    const again = await del();
    expect(again).toEqual(marked);
    expect(api.store.revision).toBe(before);
    expect(await exists()).toBe(true);
  });

  it("removing the last finalizer of a marked object deletes it (by update or by patch)", async () => {
    await patchObject(api.ctx, "pods", "default", "web", json({ metadata: { finalizers: ["a/x", "b/y"] } }));
    const marked = await del();
    const one = await updateObject(
      api.ctx,
      "Pod",
      "default",
      json({ ...marked, metadata: { ...marked.metadata, finalizers: ["b/y"] } }),
      "main",
    );
    expect(one.metadata.deletionTimestamp).toBe(marked.metadata.deletionTimestamp);
    expect(await exists()).toBe(true);
    await patchObject(api.ctx, "pods", "default", "web", json({ metadata: { finalizers: null } }));
    expect(await exists()).toBe(false);
  });

  it("refuses to delete a namespace that still holds objects, and the protected namespaces", async () => {
    await createObject(
      api.ctx,
      "Namespace",
      "",
      json({ apiVersion: "v1", kind: "Namespace", metadata: { name: "team" } }),
    );
    await createObject(
      api.ctx,
      "ConfigMap",
      "team",
      json({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" } }),
    );
    const ns = (name: string) =>
      deleteObject(api.ctx, { kind: "namespaces", namespace: "", name, uid: "", resourceVersion: "" });
    await expect(ns("team")).rejects.toMatchObject({
      reason: "Conflict",
      message: 'namespaces "team" is not empty: it still holds 1 configmaps; delete every object in it first',
    });
    await deleteObject(api.ctx, {
      kind: "configmaps",
      namespace: "team",
      name: "c",
      uid: "",
      resourceVersion: "",
    });
    await ns("team");
    await expect(
      createObject(
        api.ctx,
        "ConfigMap",
        "team",
        json({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" } }),
      ),
    ).rejects.toMatchObject({
      reason: "NotFound",
      message: 'namespaces "team" not found',
    });
    await expect(ns("default")).rejects.toMatchObject({ reason: "BadRequest" });
  });
});

describe("bootstrap", () => {
  it("creates the system namespaces once, however often it runs", async () => {
    const api = await startTestApi();
    try {
      expect(await ensureNamespaces(api.ctx)).toEqual([]);
      for (const name of ["default", "kube-system", "kube-public", "kube-node-lease"]) {
        const ns = await getObject(api.ctx, { kind: "Namespace", namespace: "", name, resourceVersion: "" });
        expect(ns.metadata.name).toBe(name);
      }
    } finally {
      api.close();
    }
  });

  it("retries while there is no leader, then creates what is missing", async () => {
    const api = await startTestApi();
    try {
      api.backend.failNext("propose", new NoLeaderError(), 3);
      expect(await ensureNamespaces(api.ctx, { namespaces: ["default", "extra"], retryDelayMs: 1 })).toEqual([
        "extra",
      ]);
    } finally {
      api.close();
    }
  });

  it("gives up with the last error after its deadline", async () => {
    const api = await startTestApi();
    try {
      api.backend.failNext("propose", new NoLeaderError(), 1000);
      await expect(
        ensureNamespaces(api.ctx, { namespaces: ["extra"], retryDelayMs: 1, deadlineMs: 20 }),
      ).rejects.toMatchObject({
        reason: "ServiceUnavailable",
      });
    } finally {
      api.close();
    }
  });
});
