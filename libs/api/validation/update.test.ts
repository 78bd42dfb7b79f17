import { describe, expect, it } from "vitest";
import {
  type ApiObject,
  applyDefaults,
  type CreateContext,
  formatFieldError,
  markDeleted,
  prepareForCreate,
  resolveKind,
  validateUpdate,
} from "../index.js";
import { GAME_DEMO_CONFIGMAP, MY_SERVICE, NGINX_DEPLOYMENT, SIMPLE_POD } from "../test/docs-manifests.js";

const CTX: CreateContext = { uid: "uid-1", now: "2026-11-22T07:40:26Z", randomSuffix: "abcde" };

function stored(manifest: object): ApiObject {
  const info = resolveKind(String((manifest as { kind: string }).kind))!;
  return prepareForCreate(applyDefaults(manifest as ApiObject, info), info, CTX);
}

function errors(prev: ApiObject, change: (o: ApiObject) => void): string[] {
  const next = structuredClone(prev);
  change(next);
  return validateUpdate(next, prev, resolveKind(prev.kind)!).map(formatFieldError);
}

type Spec = Record<string, unknown> & { containers: Record<string, unknown>[] };
const podSpec = (o: ApiObject): Spec => o.spec as Spec;

const POD_FORBIDDEN =
  "spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)";

const CASES: readonly [string, object, (o: ApiObject) => void, string[]][] = [
  [
    "renaming an object",
    SIMPLE_POD,
    (o) => (o.metadata.name = "other"),
    ['metadata.name: Invalid value: "other": field is immutable'],
  ],
  [
    "moving it to another namespace",
    SIMPLE_POD,
    (o) => (o.metadata.namespace = "prod"),
    ['metadata.namespace: Invalid value: "prod": field is immutable'],
  ],
  [
    "changing its uid",
    SIMPLE_POD,
    (o) => (o.metadata.uid = "x"),
    ['metadata.uid: Invalid value: "x": field is immutable'],
  ],
  ["changing a Pod's image", SIMPLE_POD, (o) => (podSpec(o).containers[0]!["image"] = "nginx:1.16"), []],
  ["binding an unbound Pod to a node", SIMPLE_POD, (o) => (podSpec(o)["nodeName"] = "node-1"), []],
  [
    "adding a toleration",
    SIMPLE_POD,
    (o) => (podSpec(o)["tolerations"] = [{ key: "k", operator: "Exists" }]),
    [],
  ],
  [
    "changing a Pod's restartPolicy",
    SIMPLE_POD,
    (o) => (podSpec(o)["restartPolicy"] = "Never"),
    [POD_FORBIDDEN],
  ],
  [
    "adding a container",
    SIMPLE_POD,
    (o) => podSpec(o).containers.push({ name: "b", image: "b" }),
    [POD_FORBIDDEN],
  ],
  [
    "changing a Deployment's replicas and template",
    NGINX_DEPLOYMENT,
    (o) => ((o.spec as Spec)["replicas"] = 7),
    [],
  ],
  [
    "changing a Deployment's selector",
    NGINX_DEPLOYMENT,
    (o) => ((o.spec as Spec)["selector"] = { matchLabels: { app: "web" } }),
    ['spec.selector: Invalid value: {"matchLabels":{"app":"web"}}: field is immutable'],
  ],
  [
    "changing a Service's clusterIP once set",
    { ...MY_SERVICE, spec: { ...MY_SERVICE.spec, clusterIP: "10.0.0.1" } },
    (o) => ((o.spec as Spec)["clusterIP"] = "10.0.0.2"),
    ['spec.clusterIP: Invalid value: "10.0.0.2": field is immutable'],
  ],
  [
    "changing an immutable ConfigMap's data",
    { ...GAME_DEMO_CONFIGMAP, immutable: true },
    (o) => (o["data"] = {}),
    ["data: Forbidden: field is immutable when `immutable` is set"],
  ],
  ["changing a mutable ConfigMap's data", GAME_DEMO_CONFIGMAP, (o) => (o["data"] = {}), []],
];

describe("validateUpdate", () => {
  it.each(CASES)("%s", (_name, manifest, change, expected) => {
    expect(errors(stored(manifest), change)).toEqual(expected);
  });

  it("a Pod already bound to a node cannot move to another", () => {
    const bound = stored({ ...SIMPLE_POD, spec: { ...SIMPLE_POD.spec, nodeName: "node-1" } });
    expect(errors(bound, (o) => (podSpec(o)["nodeName"] = "node-2"))).toEqual([POD_FORBIDDEN]);
  });

  it("an object being deleted takes no new finalizers, but may lose them", () => {
    const deleting = markDeleted(
      stored({ ...SIMPLE_POD, metadata: { name: "nginx", finalizers: ["example.com/a"] } }),
      CTX.now,
    );
    expect(errors(deleting, (o) => (o.metadata.finalizers = ["example.com/a", "example.com/b"]))).toEqual([
      'metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"example.com/b"}',
    ]);
    expect(errors(deleting, (o) => (o.metadata.finalizers = []))).toEqual([]);
  });
});
