/**
 * What every resource handler shares: the storage layer, the watch cache for cached reads,
 * the sources of time and randomness (injected, so tests are deterministic), and the
 * bounds. Also the request plumbing every handler starts with: which kind, which namespace,
 * which key, and the body as an object.
 */
import { randomInt, randomUUID } from "node:crypto";
import { type ApiObject, type KindInfo, registryKey, resolveKind } from "../../../libs/api/index.js";
import { ApiError } from "./api-error.js";
import type { RegistryStore, StoredObject } from "./registry-store.js";

/** One object in the watch cache (the shape watch-cache/ exports). */
export interface CachedObjectView {
  readonly key: string;
  readonly modRevision: number;
  readonly object: ApiObject;
}

/** The part of the watch cache that cached reads use. */
export interface ObjectCache {
  readonly revision: number;
  waitUntilFresh(rv: number, timeoutMs: number): Promise<void>;
  get(key: string): CachedObjectView | undefined;
  list(prefix: string): { items: readonly CachedObjectView[]; revision: number };
}

export interface HandlerOptions {
  /** RFC 3339 time, for creationTimestamp and deletionTimestamp. @default the system clock, whole seconds */
  now?: () => string;
  /** @default node:crypto randomUUID */
  uid?: () => string;
  /** 5 characters for generateName. @default random, from Kubernetes' alphabet */
  randomSuffix?: () => string;
  /** Attempts of an update or patch without a pinned resourceVersion that keeps losing the CAS race. @default 5 */
  conflictRetriesMax?: number;
  /** How long a read at resourceVersion N waits for the watch cache to reach N. @default 3000 */
  cacheWaitMs?: number;
  /** Keys examined for one list page with selectors before it is returned short. @default 10000 */
  listScanKeysMax?: number;
}

export interface HandlerContext {
  readonly store: RegistryStore;
  readonly cache: ObjectCache;
  readonly now: () => string;
  readonly uid: () => string;
  readonly randomSuffix: () => string;
  readonly conflictRetriesMax: number;
  readonly cacheWaitMs: number;
  readonly listScanKeysMax: number;
}

/** Kubernetes' generateName alphabet: no vowels (no words), no look-alike characters. */
const SUFFIX_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

export function handlerContext(
  store: RegistryStore,
  cache: ObjectCache,
  o: HandlerOptions = {},
): HandlerContext {
  return {
    store,
    cache,
    now: o.now ?? (() => new Date().toISOString().replace(/\.\d+Z$/, "Z")),
    uid: o.uid ?? randomUUID,
    randomSuffix:
      o.randomSuffix ??
      (() => Array.from({ length: 5 }, () => SUFFIX_ALPHABET[randomInt(SUFFIX_ALPHABET.length)]).join("")),
    conflictRetriesMax: o.conflictRetriesMax ?? 5,
    cacheWaitMs: o.cacheWaitMs ?? 3000,
    listScanKeysMax: o.listScanKeysMax ?? 10_000,
  };
}

/** The kind a request names; NotFound as Kubernetes words an unknown resource. */
export function kindOf(name: string): KindInfo {
  const info = name === "" ? undefined : resolveKind(name);
  if (info === undefined)
    throw new ApiError("NotFound", `the server could not find the requested resource (kind "${name}")`);
  return info;
}

/** The Namespace kind, for namespace checks. */
export function namespaceKind(): KindInfo {
  return kindOf("Namespace");
}

/** Kubernetes' group-qualified resource and name in messages: `pods "web"`, `deployments.apps "web"`. */
export function qualified(info: KindInfo, name: string): string {
  const slash = info.apiVersion.indexOf("/");
  const group = slash < 0 ? "" : `.${info.apiVersion.slice(0, slash)}`;
  return `${info.resource}${group} "${name}"`;
}

/** NotFound in Kubernetes' words: `pods "web" not found`. */
export function notFound(info: KindInfo, name: string): ApiError {
  return new ApiError("NotFound", `${qualified(info, name)} not found`);
}

/** The namespace a single-object request acts in: "" for cluster-scoped kinds, else the request's or "default". */
export function namespaceForObject(info: KindInfo, requested: string, inBody?: unknown): string {
  if (!info.namespaced) return "";
  if (requested !== "" && typeof inBody === "string" && inBody !== "" && inBody !== requested)
    throw new ApiError(
      "BadRequest",
      `the namespace of the provided object ("${inBody}") does not match the namespace sent on the request ("${requested}")`,
    );
  if (requested !== "") return requested;
  return typeof inBody === "string" && inBody !== "" ? inBody : "default";
}

/** The key of one object; BadRequest when the name is empty. */
export function keyOf(info: KindInfo, namespace: string, name: string): string {
  if (name === "") throw new ApiError("BadRequest", `a name is required to address a ${info.kind}`);
  if (name.includes("/")) throw new ApiError("BadRequest", `the name "${name}" may not contain "/"`);
  return registryKey(info, namespace, name);
}

/** The JSON object of a request body, size-checked first; BadRequest / RequestEntityTooLarge. */
export function parseBody(ctx: HandlerContext, bytes: Uint8Array, what: string): Record<string, unknown> {
  if (bytes.length > ctx.store.objectBytesMax)
    throw new ApiError(
      "RequestEntityTooLarge",
      `Request entity too large: the ${what} is ${bytes.length} bytes, limit is ${ctx.store.objectBytesMax}`,
    );
  if (bytes.length === 0) throw new ApiError("BadRequest", `the ${what} is empty: send a JSON object`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8"));
  } catch (e) {
    throw new ApiError("BadRequest", `the ${what} is not valid JSON: ${(e as Error).message}`, [], {
      cause: e,
    });
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    throw new ApiError(
      "BadRequest",
      `the ${what} must be a JSON object, not ${Array.isArray(parsed) ? "an array" : typeof parsed}`,
    );
  return parsed as Record<string, unknown>;
}

/** BadRequest when the body names another kind than the request. */
export function checkBodyKind(info: KindInfo, body: Record<string, unknown>): void {
  const kind = body.kind;
  if (typeof kind === "string" && kind !== info.kind)
    throw new ApiError(
      "BadRequest",
      `the kind in the body "${kind}" does not match the request "${info.kind}"`,
    );
}

/** metadata.name of a body, or "" when absent or not a string. */
export function bodyName(body: Record<string, unknown>): string {
  const md = body.metadata;
  if (typeof md !== "object" || md === null) return "";
  const name = (md as Record<string, unknown>).name;
  return typeof name === "string" ? name : "";
}

/** A resourceVersion from a client as a revision; BadRequest when it is not one. */
export function parseResourceVersion(rv: string, field = "resourceVersion"): number {
  if (!/^[1-9]\d{0,15}$/.test(rv) || !Number.isSafeInteger(Number(rv)))
    throw new ApiError("BadRequest", `invalid ${field} "${rv}": must be a positive integer`);
  return Number(rv);
}

/** The response bytes of an object. */
export function encodeResponse(obj: ApiObject): Buffer {
  return Buffer.from(JSON.stringify(obj), "utf8");
}

/**
 * The object at `key`: this master's copy when it exists and (if `expected` is given) is
 * at that revision; otherwise a quorum read, so "not found" and "modified" are never
 * reported from a lagging replica.
 */
export async function readFresh(
  ctx: HandlerContext,
  key: string,
  expected?: number,
): Promise<StoredObject | undefined> {
  const local = ctx.store.readLocal(key);
  if (local !== undefined && (expected === undefined || local.modRevision === expected)) return local;
  return ctx.store.readLinearizable(key);
}

/** Kubernetes' optimistic-concurrency failure, word for word. */
export function conflict(info: KindInfo, name: string): ApiError {
  return new ApiError(
    "Conflict",
    `Operation cannot be fulfilled on ${qualified(info, name)}: the object has been modified; please apply your changes to the latest version and try again`,
  );
}
