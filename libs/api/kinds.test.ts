import { describe, expect, it } from "vitest";
import { KINDS, listKind, parseRegistryKey, registryKey, registryPrefix, resolveKind } from "./index.js";

describe("resolveKind", () => {
  const NAMES: readonly [string, string][] = [
    ["Pod", "Pod"],
    ["pods", "Pod"],
    ["pod", "Pod"],
    ["po", "Pod"],
    ["PODS", "Pod"],
    ["deploy", "Deployment"],
    ["sts", "StatefulSet"],
    ["svc", "Service"],
    ["ep", "Endpoints"],
    ["endpoints", "Endpoints"],
    ["cm", "ConfigMap"],
    ["no", "Node"],
    ["ns", "Namespace"],
    ["pvc", "PersistentVolumeClaim"],
    ["leases", "Lease"],
    ["ev", "Event"],
    ["rs", "ReplicaSet"],
    ["secret", "Secret"],
  ];
  it.each(NAMES)("%s resolves to %s", (name, kind) => {
    expect(resolveKind(name)?.kind).toBe(kind);
  });

  it("an unknown name resolves to undefined", () => {
    expect(resolveKind("widgets")).toBeUndefined();
    expect(resolveKind("")).toBeUndefined();
  });

  it("serves all thirteen kinds of the issue, each with its list kind", () => {
    expect(KINDS.map((k) => k.kind).sort()).toEqual([
      "ConfigMap",
      "Deployment",
      "Endpoints",
      "Event",
      "Lease",
      "Namespace",
      "Node",
      "PersistentVolumeClaim",
      "Pod",
      "ReplicaSet",
      "Secret",
      "Service",
      "StatefulSet",
    ]);
    expect(listKind(resolveKind("po")!)).toBe("PodList");
  });
});

describe("registry keys in Kubernetes' etcd layout", () => {
  const KEYS: readonly [string, string, string, string][] = [
    ["pods", "default", "web-1", "/registry/pods/default/web-1"],
    ["nodes", "", "node-1", "/registry/minions/node-1"],
    ["services", "default", "my-service", "/registry/services/specs/default/my-service"],
    ["endpoints", "default", "my-service", "/registry/services/endpoints/default/my-service"],
    ["deployments", "prod", "nginx", "/registry/deployments/prod/nginx"],
    ["leases", "kube-system", "scheduler", "/registry/leases/kube-system/scheduler"],
    ["namespaces", "", "default", "/registry/namespaces/default"],
  ];
  it.each(KEYS)("%s %s/%s is stored at %s and parses back", (resource, ns, name, key) => {
    const info = resolveKind(resource)!;
    expect(registryKey(info, ns, name)).toBe(key);
    expect(parseRegistryKey(key)).toEqual({ info, namespace: ns, name });
  });

  it("prefixes cover a kind or one namespace of it", () => {
    const pods = resolveKind("pods")!;
    expect(registryPrefix(pods)).toBe("/registry/pods/");
    expect(registryPrefix(pods, "default")).toBe("/registry/pods/default/");
    expect(registryPrefix(resolveKind("nodes")!, "ignored")).toBe("/registry/minions/");
  });

  it("no kind's prefix is a prefix of another's, so prefix ranges never overlap", () => {
    for (const a of KINDS)
      for (const b of KINDS) if (a !== b) expect(b.registryPrefix.startsWith(a.registryPrefix)).toBe(false);
  });

  it.each([
    "/registry/pods/default",
    "/registry/pods/a/b/c",
    "/registry/minions/",
    "/registry/widgets/a/b",
    "/other/pods/a/b",
    "/registry/minions/a/b",
  ])("%s is outside the layout", (key) => {
    expect(parseRegistryKey(key)).toBeUndefined();
  });
});
