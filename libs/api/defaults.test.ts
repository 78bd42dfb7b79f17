import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type ApiObject, applyDefaults, applyMergePatch, decodeObject, resolveKind } from "./index.js";
import { SIMPLE_POD } from "./test/docs-manifests.js";

function defaulted(obj: object): ApiObject {
  return applyDefaults(obj as ApiObject, resolveKind(String((obj as { kind: string }).kind))!);
}

type Container = { imagePullPolicy?: string; resources?: { requests?: Record<string, string> } };
const firstContainer = (o: ApiObject): Container => (o.spec as { containers: Container[] }).containers[0]!;

describe("applyDefaults", () => {
  const PULL: readonly [string, string][] = [
    ["nginx", "Always"],
    ["nginx:latest", "Always"],
    ["nginx:1.14.2", "IfNotPresent"],
    ["registry:5000/team/app", "Always"],
    ["registry:5000/team/app:v2", "IfNotPresent"],
    ["nginx@sha256:abcd", "IfNotPresent"],
  ];
  it.each(PULL)("image %s gets imagePullPolicy %s", (image, policy) => {
    const pod = defaulted({ ...SIMPLE_POD, spec: { containers: [{ name: "c", image }] } });
    expect(firstContainer(pod).imagePullPolicy).toBe(policy);
  });

  it("requests default to limits, and explicit requests are kept", () => {
    const pod = defaulted({
      ...SIMPLE_POD,
      spec: {
        containers: [
          {
            name: "c",
            image: "x:1",
            resources: { limits: { cpu: "1", memory: "1Gi" }, requests: { cpu: "500m" } },
          },
        ],
      },
    });
    expect(firstContainer(pod).resources?.requests).toEqual({ cpu: "500m", memory: "1Gi" });
  });

  it("quantities written as numbers become Kubernetes' quantity strings", () => {
    const pod = defaulted({
      ...SIMPLE_POD,
      spec: {
        containers: [
          { name: "c", image: "x:1", resources: { limits: { cpu: 2 }, requests: { memory: 1024 } } },
        ],
      },
    });
    expect(firstContainer(pod).resources).toEqual({
      limits: { cpu: "2" },
      requests: { cpu: "2", memory: "1024" },
    });
  });

  it("a namespaced object gets namespace default; a cluster-scoped one does not", () => {
    expect(defaulted(SIMPLE_POD).metadata.namespace).toBe("default");
    expect(
      defaulted({ apiVersion: "v1", kind: "Node", metadata: { name: "n" } }).metadata.namespace,
    ).toBeUndefined();
  });

  it("an explicit value is never overwritten", () => {
    const pod = defaulted({
      ...SIMPLE_POD,
      metadata: { name: "p", namespace: "prod" },
      spec: { ...SIMPLE_POD.spec, restartPolicy: "Never" },
    });
    expect(pod.metadata.namespace).toBe("prod");
    expect((pod.spec as { restartPolicy: string }).restartPolicy).toBe("Never");
  });

  it("Secret stringData is merged into data as base64 of its UTF-8", () => {
    const s = defaulted({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "s" },
      data: { a: "YQ==" },
      stringData: { b: "héllo" },
    });
    expect(s).toMatchObject({ type: "Opaque", data: { a: "YQ==", b: "aMOpbGxv" } });
    expect(s["stringData"]).toBeUndefined();
  });

  it("a Node's allocatable defaults to its capacity", () => {
    const n = defaulted({
      apiVersion: "v1",
      kind: "Node",
      metadata: { name: "n" },
      status: { capacity: { cpu: "4", memory: "8Gi" } },
    });
    expect(n.status).toEqual({
      capacity: { cpu: "4", memory: "8Gi" },
      allocatable: { cpu: "4", memory: "8Gi" },
    });
  });

  it("a StatefulSet gets OrderedReady, RollingUpdate with partition 0, and Retain policies", () => {
    const sts = defaulted({
      apiVersion: "apps/v1",
      kind: "StatefulSet",
      metadata: { name: "db" },
      spec: { selector: {}, template: { spec: { containers: [] } } },
    });
    expect(sts.spec).toMatchObject({
      replicas: 1,
      podManagementPolicy: "OrderedReady",
      updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition: 0 } },
      persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" },
    });
  });

  it("never mutates its input", () => {
    const input = structuredClone(SIMPLE_POD);
    applyDefaults(input as ApiObject, resolveKind("Pod")!);
    expect(input).toEqual(SIMPLE_POD);
  });
});

describe("applyDefaults properties", () => {
  it("is idempotent: defaulting a defaulted object changes nothing", () => {
    const pod = resolveKind("Pod")!;
    fc.assert(
      fc.property(fc.jsonValue(), (patch) => {
        const d = decodeObject(applyMergePatch(SIMPLE_POD, { spec: patch }), pod);
        if (!d.ok) return;
        const once = applyDefaults(d.value, pod);
        expect(applyDefaults(once, pod)).toEqual(once);
      }),
      { numRuns: 200 },
    );
  });
});
