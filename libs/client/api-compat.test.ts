import { describe, expect, it } from "vitest";
import type { ApiObject, Lease, Pod } from "../api/index.js";
import { parseLabelSelector } from "../api/index.js";
import { FakeResourceApi, Indexer, type KubeObject, type LeaseObject, OWNER_UID_INDEX } from "./index.js";

describe("libs/api compatibility", () => {
  it("libs/api's objects and label selectors fit the client's types", async () => {
    const pod: Pod = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: {
        name: "web-1",
        namespace: "default",
        labels: { app: "web" },
        ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: "web", uid: "rs-1" }],
      },
      spec: { containers: [{ name: "c", image: "nginx" }] },
    };
    const asKube: KubeObject = pod;
    const anyObject: KubeObject = pod as ApiObject;
    const lease: LeaseObject = { apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: {} } as Lease;
    expect([asKube, anyObject, lease]).toHaveLength(3);

    const created = await new FakeResourceApi().resource<Pod>("pods").create(pod);
    const indexer = new Indexer<Pod>();
    indexer.upsert(created);
    const selector = parseLabelSelector("app in (web,db)");
    if (!selector.ok) throw new Error("selector did not parse");
    expect(indexer.list(selector.value).map((p) => p.metadata.name)).toEqual(["web-1"]);
    expect(indexer.byIndex(OWNER_UID_INDEX, "rs-1")).toHaveLength(1);
  });
});
