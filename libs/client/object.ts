/**
 * The shape of objects as this library sees them. libs/client handles every kind the same
 * way (it only reads metadata), so it needs only this structural view; libs/api's
 * `ApiObject` and its typed kinds (Pod, Lease, ...) are assignable to {@link KubeObject}.
 */

/** The metadata fields the client reads. Unknown fields pass through untouched. */
export interface KubeObjectMeta {
  name?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  labels?: Record<string, string>;
  ownerReferences?: readonly {
    readonly apiVersion?: string;
    readonly kind?: string;
    readonly name?: string;
    readonly uid: string;
    readonly controller?: boolean;
    readonly blockOwnerDeletion?: boolean;
  }[];
  [field: string]: unknown;
}

/** Any object as JSON: apiVersion, kind, metadata, then whatever the kind has. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: KubeObjectMeta;
  [field: string]: unknown;
}

/** The event types of a watch stream, as Kubernetes names them. */
export type WatchEventType = "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK";

/** One decoded watch event. For BOOKMARK, `object` carries only kind, apiVersion and metadata.resourceVersion. */
export interface WatchEvent<T extends KubeObject> {
  readonly type: WatchEventType;
  readonly object: T;
}

/** Anything that matches labels; libs/api's `LabelSelector` fits. */
export interface LabelMatcher {
  matches(labels: Readonly<Record<string, string>> | undefined): boolean;
}

/** The cache key client-go uses: "namespace/name", or "name" for cluster-scoped objects. */
export function objectKey(obj: KubeObject): string {
  return namespacedKey(obj.metadata.namespace ?? "", obj.metadata.name ?? "");
}

/** {@link objectKey} from its parts. */
export function namespacedKey(namespace: string, name: string): string {
  return namespace === "" ? name : `${namespace}/${name}`;
}

/** Inverse of {@link namespacedKey}. */
export function splitKey(key: string): { namespace: string; name: string } {
  const slash = key.indexOf("/");
  return slash < 0
    ? { namespace: "", name: key }
    : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

/** The object's resourceVersion as a number (the store revision); 0 when absent or not numeric. */
export function revisionOf(obj: KubeObject): number {
  const n = Number(obj.metadata.resourceVersion ?? "");
  return Number.isSafeInteger(n) ? n : 0;
}

/** Objects travel as JSON bytes (see proto/apipb/api.proto). */
export function encodeObject(obj: unknown): Buffer {
  return Buffer.from(JSON.stringify(obj), "utf8");
}

/** A JSON object from the wire; throws {@link ObjectDecodeError} on anything that is not an object with metadata. */
export function decodeObject<T extends KubeObject>(bytes: Uint8Array): T {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(bytes).toString("utf8"));
  } catch (cause) {
    throw new ObjectDecodeError("the server sent an object that is not JSON", { cause });
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new ObjectDecodeError("the server sent JSON that is not an object");
  const metadata = (value as { metadata?: unknown }).metadata;
  if (typeof metadata !== "object" || metadata === null)
    throw new ObjectDecodeError("the server sent an object without metadata");
  return value as T;
}

/** The server sent bytes that are not an object: a bug on one side, never retried. */
export class ObjectDecodeError extends Error {
  override readonly name = "ObjectDecodeError";
}

/** Freezes an object and everything inside it, so a cached object can be shared and never mutated. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
