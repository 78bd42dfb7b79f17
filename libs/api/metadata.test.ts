import { describe, expect, it } from "vitest";
import {
  type ApiObject,
  applyDefaults,
  type CreateContext,
  decodeObject,
  type KindInfo,
  markDeleted,
  prepareForCreate,
  prepareForUpdate,
  resolveKind,
} from "./index.js";
import { GAME_DEMO_CONFIGMAP, NGINX_DEPLOYMENT, SIMPLE_POD } from "./test/docs-manifests.js";

const CTX: CreateContext = {
  uid: "0f1e2d3c-0000-4000-8000-000000000001",
  now: "2026-11-22T07:40:26Z",
  randomSuffix: "x7k2p",
};

function created(manifest: object, info: KindInfo): ApiObject {
  const d = decodeObject(manifest, info);
  if (!d.ok) throw new Error("decode failed");
  return prepareForCreate(applyDefaults(d.value, info), info, CTX);
}

function edit(obj: ApiObject, fn: (o: ApiObject) => void): ApiObject {
  const copy = structuredClone(obj);
  fn(copy);
  return copy;
}

const DEPLOY = resolveKind("Deployment")!;
const POD = resolveKind("Pod")!;
const CM = resolveKind("ConfigMap")!;

describe("prepareForCreate", () => {
  it("sets uid, creationTimestamp and generation 1 from the context, and clears what the server owns", () => {
    const manifest = {
      ...SIMPLE_POD,
      metadata: {
        name: "nginx",
        uid: "client-uid",
        resourceVersion: "99",
        generation: 7,
        deletionTimestamp: "2020-01-01T00:00:00Z",
      },
      status: { phase: "Running" },
    };
    const obj = created(manifest, POD);
    expect(obj.metadata).toEqual({
      name: "nginx",
      namespace: "default",
      uid: CTX.uid,
      creationTimestamp: CTX.now,
      generation: 1,
    });
    expect(obj.status).toEqual({ phase: "Pending" });
  });

  it("names the object from generateName plus the 5-character suffix", () => {
    const obj = created({ ...SIMPLE_POD, metadata: { generateName: "web-" } }, POD);
    expect(obj.metadata.name).toBe("web-x7k2p");
  });

  it("cuts a long generateName to 58 characters before the suffix, as Kubernetes does", () => {
    const obj = created({ ...SIMPLE_POD, metadata: { generateName: `${"a".repeat(70)}-` } }, POD);
    expect(obj.metadata.name).toBe(`${"a".repeat(58)}x7k2p`);
  });

  it("never mutates its input", () => {
    const input = structuredClone(SIMPLE_POD);
    prepareForCreate(input as ApiObject, POD, CTX);
    expect(input).toEqual(SIMPLE_POD);
  });
});

type GenerationCase = readonly [string, KindInfo, object, (o: ApiObject) => void, "main" | "status", number];

const GENERATION_CASES: readonly GenerationCase[] = [
  [
    "a spec change bumps a Deployment's generation",
    DEPLOY,
    NGINX_DEPLOYMENT,
    (o) => ((o.spec as { replicas: number }).replicas = 5),
    "main",
    2,
  ],
  [
    "a label change does not",
    DEPLOY,
    NGINX_DEPLOYMENT,
    (o) => (o.metadata.labels = { app: "nginx", extra: "1" }),
    "main",
    1,
  ],
  [
    "an annotation change does not",
    DEPLOY,
    NGINX_DEPLOYMENT,
    (o) => (o.metadata.annotations = { note: "x" }),
    "main",
    1,
  ],
  [
    "a status sent with Update is ignored and does not bump",
    DEPLOY,
    NGINX_DEPLOYMENT,
    (o) => (o.status = { replicas: 3 }),
    "main",
    1,
  ],
  ["UpdateStatus never bumps", DEPLOY, NGINX_DEPLOYMENT, (o) => (o.status = { replicas: 3 }), "status", 1],
  [
    "UpdateStatus ignores a spec change it carries",
    DEPLOY,
    NGINX_DEPLOYMENT,
    (o) => ((o.spec as { replicas: number }).replicas = 9),
    "status",
    1,
  ],
  ["an identical Update does not bump", DEPLOY, NGINX_DEPLOYMENT, () => {}, "main", 1],
  [
    "a Pod image change bumps",
    POD,
    SIMPLE_POD,
    (o) => ((o.spec as { containers: { image: string }[] }).containers[0]!.image = "nginx:1.16"),
    "main",
    2,
  ],
  [
    "a ConfigMap data change bumps (data is its spec)",
    CM,
    GAME_DEMO_CONFIGMAP,
    (o) => ((o["data"] as Record<string, string>)["player_initial_lives"] = "5"),
    "main",
    2,
  ],
  [
    "a ConfigMap label change does not",
    CM,
    GAME_DEMO_CONFIGMAP,
    (o) => (o.metadata.labels = { a: "b" }),
    "main",
    1,
  ],
];

describe("prepareForUpdate: generation is bumped on spec changes only", () => {
  it.each(GENERATION_CASES)("%s", (_name, info, manifest, change, subresource, generation) => {
    const prev = created(manifest, info);
    const next = edit(prev, change);
    expect(prepareForUpdate(next, prev, info, subresource).metadata.generation).toBe(generation);
  });

  it("Update keeps uid, creationTimestamp, deletionTimestamp and status from the stored object", () => {
    const prev = markDeleted(
      edit(created(NGINX_DEPLOYMENT, DEPLOY), (o) => (o.status = { replicas: 2 })),
      "2026-11-22T08:00:00Z",
    );
    const next = edit(prev, (o) => {
      o.metadata.uid = "forged";
      o.metadata.creationTimestamp = "1999-01-01T00:00:00Z";
      delete o.metadata.deletionTimestamp;
      o.status = { replicas: 100 };
      o.metadata.finalizers = [];
    });
    const out = prepareForUpdate(next, prev, DEPLOY, "main");
    expect(out.metadata).toMatchObject({
      uid: CTX.uid,
      creationTimestamp: CTX.now,
      deletionTimestamp: "2026-11-22T08:00:00Z",
      finalizers: [],
    });
    expect(out.status).toEqual({ replicas: 2 });
  });

  it("UpdateStatus takes only status from the new object", () => {
    const prev = created(NGINX_DEPLOYMENT, DEPLOY);
    const next = edit(prev, (o) => {
      o.metadata.labels = { hijack: "1" };
      o.status = { replicas: 3, readyReplicas: 3 };
      o.metadata.resourceVersion = "42";
    });
    const out = prepareForUpdate(next, prev, DEPLOY, "status");
    expect(out.metadata.labels).toEqual({ app: "nginx" });
    expect(out.metadata.resourceVersion).toBe("42");
    expect(out.status).toEqual({ replicas: 3, readyReplicas: 3 });
  });
});

describe("markDeleted", () => {
  it("sets deletionTimestamp and a zero grace period, and keeps a first deletionTimestamp", () => {
    const obj = created(SIMPLE_POD, POD);
    const once = markDeleted(obj, "2026-11-22T08:00:00Z");
    expect(once.metadata).toMatchObject({
      deletionTimestamp: "2026-11-22T08:00:00Z",
      deletionGracePeriodSeconds: 0,
      generation: 1,
    });
    expect(markDeleted(once, "2026-11-22T09:00:00Z").metadata.deletionTimestamp).toBe("2026-11-22T08:00:00Z");
    expect(obj.metadata.deletionTimestamp).toBeUndefined();
  });
});
