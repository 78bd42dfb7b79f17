import { describe, expect, it } from "vitest";
import {
  FakeResourceApi,
  isAlreadyExists,
  isConflict,
  isExpired,
  isNotFound,
  type KubeObject,
  type WatchEvent,
} from "./index.js";

function cm(
  name: string,
  data: Record<string, string> = {},
  labels: Record<string, string> = {},
): KubeObject {
  return { apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: "default", labels }, data };
}

async function take<T extends KubeObject>(it: AsyncIterable<WatchEvent<T>>, n: number): Promise<string[]> {
  const out: string[] = [];
  for await (const ev of it) {
    out.push(`${ev.type} ${ev.object.metadata.name ?? ""} ${ev.object.metadata.resourceVersion}`);
    if (out.length === n) break;
  }
  return out;
}

describe("ResourceClient over the fake API", () => {
  it("creates, reads, updates with optimistic concurrency, patches and deletes", async () => {
    const api = new FakeResourceApi();
    const c = api.resource<KubeObject>("configmaps", "default");
    const created = await c.create(cm("a", { k: "1" }));
    expect(created.metadata.resourceVersion).toBe("1");
    await expect(c.create(cm("a"))).rejects.toSatisfy(isAlreadyExists);
    const updated = await c.update({ ...created, data: { k: "2" } });
    expect(updated.metadata.resourceVersion).toBe("2");
    await expect(c.update({ ...created, data: { k: "3" } })).rejects.toSatisfy(isConflict);
    const patched = await c.patch("a", { data: { k: null, j: "x" } });
    expect(patched["data"]).toEqual({ j: "x" });
    await expect(c.delete("a", { preconditions: { uid: "other" } })).rejects.toSatisfy(isConflict);
    await c.delete("a", { preconditions: { uid: created.metadata.uid ?? "" } });
    await expect(c.get("a")).rejects.toSatisfy(isNotFound);
  });

  it("lists page by page at the first page's revision, with label selectors", async () => {
    const api = new FakeResourceApi();
    const c = api.resource<KubeObject>("configmaps", "default");
    for (let i = 0; i < 7; i++) await c.create(cm(`m${i}`, {}, { even: String(i % 2 === 0) }));
    const first = await c.list({ limit: 3 });
    expect(first.items.map((o) => o.metadata.name)).toEqual(["m0", "m1", "m2"]);
    await c.create(cm("m00"));
    const all = await c.listAll({ limit: 3 });
    expect(all.items).toHaveLength(8);
    const second = await c.list({ limit: 3, continue: first.continue });
    expect(second.items.map((o) => o.metadata.name)).toEqual(["m3", "m4", "m5"]);
    expect((await c.list({ labelSelector: "even=true" })).items).toHaveLength(4);
    api.compact();
    await expect(c.list({ limit: 3, continue: second.continue })).rejects.toSatisfy(isExpired);
  });

  it("watches from a revision, and fails with Expired from a compacted one", async () => {
    const api = new FakeResourceApi();
    const c = api.resource<KubeObject>("configmaps", "default");
    await c.create(cm("a"));
    await c.create(cm("b"));
    const w = c.watch({ resourceVersion: "1" });
    await c.delete("a");
    expect(await take(w, 2)).toEqual(["ADDED b 2", "DELETED a 3"]);
    api.compact(3);
    const old = c.watch({ resourceVersion: "2" });
    await expect(take(old, 1)).rejects.toSatisfy(isExpired);
  });
});
