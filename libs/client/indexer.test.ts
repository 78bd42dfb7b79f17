import { describe, expect, it } from "vitest";
import {
  Indexer,
  type KubeObject,
  Lister,
  NAMESPACE_INDEX,
  NODE_NAME_INDEX,
  OWNER_UID_INDEX,
  UnknownIndexError,
} from "./index.js";

function pod(
  ns: string,
  name: string,
  extra: { node?: string; owner?: string; labels?: Record<string, string> } = {},
): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      namespace: ns,
      name,
      labels: extra.labels ?? {},
      ...(extra.owner
        ? { ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: "rs", uid: extra.owner }] }
        : {}),
    },
    spec: extra.node ? { nodeName: extra.node } : {},
  };
}

const appIs = (v: string) => ({
  matches: (l: Readonly<Record<string, string>> | undefined) => l?.["app"] === v,
});

describe("Indexer", () => {
  it("indexes objects by namespace, node name and owner uid", () => {
    const ix = new Indexer<KubeObject>();
    ix.upsert(pod("a", "p1", { node: "n1", owner: "rs-1" }));
    ix.upsert(pod("a", "p2", { node: "n2", owner: "rs-1" }));
    ix.upsert(pod("b", "p3", { node: "n1" }));
    const names = (objs: KubeObject[]) => objs.map((o) => o.metadata.name).sort();
    expect(names(ix.byIndex(NAMESPACE_INDEX, "a"))).toEqual(["p1", "p2"]);
    expect(names(ix.byIndex(NODE_NAME_INDEX, "n1"))).toEqual(["p1", "p3"]);
    expect(names(ix.byIndex(OWNER_UID_INDEX, "rs-1"))).toEqual(["p1", "p2"]);
    expect(ix.byIndex(NODE_NAME_INDEX, "n9")).toEqual([]);
  });

  it("moves an object between index values when it changes and forgets it when deleted", () => {
    const ix = new Indexer<KubeObject>();
    ix.upsert(pod("a", "p1"));
    expect(ix.indexValues(NODE_NAME_INDEX)).toEqual([]);
    ix.upsert(pod("a", "p1", { node: "n1" }));
    expect(ix.indexKeys(NODE_NAME_INDEX, "n1")).toEqual(["a/p1"]);
    ix.upsert(pod("a", "p1", { node: "n2" }));
    expect(ix.indexKeys(NODE_NAME_INDEX, "n1")).toEqual([]);
    expect(ix.indexKeys(NODE_NAME_INDEX, "n2")).toEqual(["a/p1"]);
    expect(ix.deleteKey("a/p1")?.metadata.name).toBe("p1");
    expect(ix.indexValues(NODE_NAME_INDEX)).toEqual([]);
    expect(ix.indexValues(NAMESPACE_INDEX)).toEqual([]);
    expect(ix.size).toBe(0);
  });

  it("freezes stored objects so no reader can mutate the cache", () => {
    const ix = new Indexer<KubeObject>();
    const p = pod("a", "p1", { labels: { app: "web" } });
    ix.upsert(p);
    const got = ix.get("a", "p1") as KubeObject;
    expect(Object.isFrozen(got)).toBe(true);
    expect(Object.isFrozen(got.metadata.labels)).toBe(true);
    expect(() => {
      (got.metadata.labels as Record<string, string>)["app"] = "db";
    }).toThrow(TypeError);
  });

  it("indexes existing objects when an index is added later, and rejects unknown indexes", () => {
    const ix = new Indexer<KubeObject>({});
    ix.upsert(pod("a", "p1", { labels: { app: "web" } }));
    ix.addIndexer("app", (o) => [o.metadata.labels?.["app"] ?? ""]);
    expect(ix.indexKeys("app", "web")).toEqual(["a/p1"]);
    expect(() => ix.byIndex("nope", "x")).toThrow(UnknownIndexError);
  });

  it("lists with a label selector, per namespace through the lister, as fresh arrays", () => {
    const ix = new Indexer<KubeObject>();
    ix.upsert(pod("a", "p1", { labels: { app: "web" } }));
    ix.upsert(pod("a", "p2", { labels: { app: "db" } }));
    ix.upsert(pod("b", "p3", { labels: { app: "web" } }));
    const lister = new Lister(ix);
    expect(
      lister
        .list(appIs("web"))
        .map((o) => o.metadata.name)
        .sort(),
    ).toEqual(["p1", "p3"]);
    expect(
      lister
        .inNamespace("a")
        .list(appIs("web"))
        .map((o) => o.metadata.name),
    ).toEqual(["p1"]);
    expect(lister.get("b", "p3")?.metadata.name).toBe("p3");
    expect(lister.get("b", "p1")).toBeUndefined();
    const l1 = lister.list();
    l1.pop();
    expect(lister.list()).toHaveLength(3);
  });
});
