/**
 * Store keys in Kubernetes' etcd layout: `/registry/<resource>/<namespace>/<name>` for
 * namespaced kinds, `/registry/<resource>/<name>` for cluster-scoped ones (with the
 * historical prefixes: nodes are "minions", services and endpoints share "services/").
 */
import { KINDS, type KindInfo } from "./kinds.js";

/** "/registry/pods/default/web-1"; cluster-scoped: "/registry/minions/node-1". */
export function registryKey(info: KindInfo, namespace: string, name: string): string {
  return info.namespaced ? `${info.registryPrefix}${namespace}/${name}` : `${info.registryPrefix}${name}`;
}

/**
 * Prefix of every object of a kind, or of one namespace: "/registry/pods/" or
 * "/registry/pods/default/". The namespace is ignored for cluster-scoped kinds.
 */
export function registryPrefix(info: KindInfo, namespace?: string): string {
  if (!info.namespaced || namespace === undefined || namespace === "") return info.registryPrefix;
  return `${info.registryPrefix}${namespace}/`;
}

/** Prefixes longest first, so "/registry/services/specs/" is tried before any shorter one. */
const PREFIXES: readonly KindInfo[] = [...KINDS].sort(
  (a, b) => b.registryPrefix.length - a.registryPrefix.length,
);

/** Inverse of registryKey; undefined for keys outside the registry layout. */
export function parseRegistryKey(
  key: string,
): { info: KindInfo; namespace: string; name: string } | undefined {
  for (const info of PREFIXES) {
    if (!key.startsWith(info.registryPrefix)) continue;
    const rest = key.slice(info.registryPrefix.length);
    const parts = rest.split("/");
    if (info.namespaced) {
      const [namespace, name] = parts;
      if (parts.length !== 2 || !namespace || !name) return undefined;
      return { info, namespace, name };
    }
    const [name] = parts;
    if (parts.length !== 1 || !name) return undefined;
    return { info, namespace: "", name };
  }
  return undefined;
}
