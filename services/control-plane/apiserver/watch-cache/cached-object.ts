/**
 * One object as the watch cache holds it: decoded from the store's JSON bytes once, frozen,
 * its metadata.resourceVersion set to the revision that wrote it, and encoded back to bytes
 * at most once however many watchers receive it. Sharing the decoded object and its bytes
 * is what makes a thousand watchers of the same kind cost little more than one.
 */
import { type ApiObject, decodeObject, type KindInfo } from "../../../../libs/api/index.js";

/** An object in the cache. Never mutate it (it is frozen): every watcher and list shares it. */
export interface CachedObject {
  /** The registry key, e.g. "/registry/pods/default/web-1". */
  readonly key: string;
  /** The store revision of the write that produced this state. */
  readonly modRevision: number;
  /** Frozen; metadata.resourceVersion = String(modRevision). */
  readonly object: ApiObject;
}

/** JSON bytes of an object, computed on first use and shared by every watcher. */
export class EncodedObject {
  private bytesCache: Buffer | undefined;
  private readonly frames = new Map<string, Buffer>();

  constructor(private readonly encode: () => string) {}

  /** The object as UTF-8 JSON: the `object` field of a gRPC WatchEvent. */
  get bytes(): Buffer {
    this.bytesCache ??= Buffer.from(this.encode(), "utf8");
    return this.bytesCache;
  }

  /** A WebSocket text frame `{"type":TYPE,"object":{...}}`, one per event type. */
  frame(type: string): Buffer {
    let f = this.frames.get(type);
    if (f === undefined) {
      f = Buffer.concat([
        Buffer.from(`{"type":${JSON.stringify(type)},"object":`),
        this.bytes,
        Buffer.from("}"),
      ]);
      this.frames.set(type, f);
    }
    return f;
  }
}

/** A cached object plus its lazily encoded bytes. */
export class CacheEntry implements CachedObject {
  readonly encoded: EncodedObject;

  constructor(
    readonly key: string,
    readonly modRevision: number,
    readonly object: ApiObject,
    readonly info: KindInfo,
    readonly namespace: string,
  ) {
    this.encoded = new EncodedObject(() => JSON.stringify(object));
  }

  /** This state re-stamped with a later revision: the object of a DELETED event. */
  encodedAt(revision: number): EncodedObject {
    if (revision === this.modRevision) return this.encoded;
    return new EncodedObject(() => JSON.stringify(withResourceVersion(this.object, revision)));
  }
}

/** Why a store value did not become a cached object. */
export type DecodeFailure = "json" | "shape";

/** Decodes a store value under `key` into a frozen object stamped with `modRevision`. */
export function decodeEntry(
  key: string,
  info: KindInfo,
  namespace: string,
  value: Uint8Array,
  modRevision: number,
): CacheEntry | DecodeFailure {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("utf8"));
  } catch {
    return "json";
  }
  const decoded = decodeObject(json, info);
  if (!decoded.ok) return "shape";
  const object = deepFreeze(withResourceVersion(decoded.value, modRevision));
  return new CacheEntry(key, modRevision, object, info, namespace);
}

function withResourceVersion(obj: ApiObject, revision: number): ApiObject {
  return { ...obj, metadata: { ...obj.metadata, resourceVersion: String(revision) } };
}

/** Freezes a JSON value and everything under it; bounded by the value's own size. */
function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/** A BOOKMARK's object: only kind, apiVersion and metadata.resourceVersion. */
export function bookmarkObject(info: KindInfo, revision: number): EncodedObject {
  return new EncodedObject(() =>
    JSON.stringify({
      kind: info.kind,
      apiVersion: info.apiVersion,
      metadata: { resourceVersion: String(revision) },
    }),
  );
}
