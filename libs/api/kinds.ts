/**
 * The kinds Flotilla serves, with the resource names, scopes and etcd key prefixes that
 * Kubernetes itself uses, so tools that know Kubernetes' etcd layout find objects where
 * they expect them.
 */

/** What the API server needs to know about one kind. */
export interface KindInfo {
  /** "Pod". */
  readonly kind: string;
  /** "v1", "apps/v1", "coordination.k8s.io/v1". */
  readonly apiVersion: string;
  /** The plural resource name: "pods". */
  readonly resource: string;
  /** kubectl's short names: ["po"]. */
  readonly shortNames: readonly string[];
  readonly namespaced: boolean;
  /** True when the kind has a status subresource (UpdateStatus). */
  readonly hasStatus: boolean;
  /** Kubernetes' own etcd prefix: "/registry/pods/", nodes under "/registry/minions/". */
  readonly registryPrefix: string;
}

function kind(
  k: string,
  apiVersion: string,
  resource: string,
  shortNames: readonly string[],
  namespaced: boolean,
  hasStatus: boolean,
  registryPrefix: string,
): KindInfo {
  return Object.freeze({
    kind: k,
    apiVersion,
    resource,
    shortNames: Object.freeze([...shortNames]),
    namespaced,
    hasStatus,
    registryPrefix,
  });
}

/** Every kind served, in a stable order. */
export const KINDS: readonly KindInfo[] = Object.freeze([
  kind("Namespace", "v1", "namespaces", ["ns"], false, true, "/registry/namespaces/"),
  kind("Node", "v1", "nodes", ["no"], false, true, "/registry/minions/"),
  kind("Pod", "v1", "pods", ["po"], true, true, "/registry/pods/"),
  kind("ReplicaSet", "apps/v1", "replicasets", ["rs"], true, true, "/registry/replicasets/"),
  kind("Deployment", "apps/v1", "deployments", ["deploy"], true, true, "/registry/deployments/"),
  kind("StatefulSet", "apps/v1", "statefulsets", ["sts"], true, true, "/registry/statefulsets/"),
  kind("Service", "v1", "services", ["svc"], true, true, "/registry/services/specs/"),
  kind("Endpoints", "v1", "endpoints", ["ep"], true, false, "/registry/services/endpoints/"),
  kind("ConfigMap", "v1", "configmaps", ["cm"], true, false, "/registry/configmaps/"),
  kind("Secret", "v1", "secrets", [], true, false, "/registry/secrets/"),
  kind("Lease", "coordination.k8s.io/v1", "leases", [], true, false, "/registry/leases/"),
  kind("Event", "v1", "events", ["ev"], true, false, "/registry/events/"),
  kind(
    "PersistentVolumeClaim",
    "v1",
    "persistentvolumeclaims",
    ["pvc"],
    true,
    true,
    "/registry/persistentvolumeclaims/",
  ),
]);

const BY_NAME: ReadonlyMap<string, KindInfo> = (() => {
  const m = new Map<string, KindInfo>();
  for (const info of KINDS) {
    for (const n of [info.kind, info.resource, ...info.shortNames]) m.set(n.toLowerCase(), info);
  }
  return m;
})();

/** "Pod" | "pods" | "pod" | "po" (case-insensitive) -> info; undefined when unknown. */
export function resolveKind(nameOrKind: string): KindInfo | undefined {
  return BY_NAME.get(nameOrKind.toLowerCase());
}

/** The Kubernetes list kind: "PodList". */
export function listKind(info: KindInfo): string {
  return `${info.kind}List`;
}

/**
 * The top-level fields whose change bumps metadata.generation. Kinds with a spec use
 * `spec`; kinds without one (ConfigMap, Secret, Endpoints, Event) use every top-level
 * field except apiVersion, kind, metadata and status (data, binaryData, subsets, ...).
 */
export function specFieldsOf(obj: Readonly<Record<string, unknown>>, info: KindInfo): string[] {
  if (!KINDS_WITHOUT_SPEC.has(info.kind)) return ["spec"];
  return Object.keys(obj).filter((k) => !ENVELOPE_FIELDS.has(k));
}

const KINDS_WITHOUT_SPEC: ReadonlySet<string> = new Set(["ConfigMap", "Secret", "Endpoints", "Event"]);
const ENVELOPE_FIELDS: ReadonlySet<string> = new Set(["apiVersion", "kind", "metadata", "status"]);
