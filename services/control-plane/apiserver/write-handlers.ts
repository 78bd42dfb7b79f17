/**
 * Create, Update, UpdateStatus and Patch. Every write is checked completely (JSON, kind,
 * shape, defaults, validation, size) before anything is proposed, and is then one
 * compare-and-swap transaction: bad input writes nothing, and two writers racing on one
 * object cannot both win.
 *
 * Reads before a write are optimistic: this master's replica first, and a quorum read
 * only when the local copy is missing or older than what the client expects. The CAS makes
 * that safe: a write computed from a stale copy fails its compare and is retried or
 * reported as a Conflict.
 */
import {
  type ApiObject,
  applyDefaults,
  applyMergePatch,
  decodeObject,
  type KindInfo,
  prepareForCreate,
  prepareForUpdate,
  registryKey,
  validateObject,
  validateUpdate,
} from "../../../libs/api/index.js";
import { ApiError } from "./api-error.js";
import { finalizeIfDone } from "./delete-handler.js";
import {
  bodyName,
  checkBodyKind,
  conflict,
  type HandlerContext,
  keyOf,
  kindOf,
  namespaceForObject,
  namespaceKind,
  notFound,
  parseBody,
  parseResourceVersion,
  qualified,
  readFresh,
} from "./handler-context.js";
import type { StoredObject } from "./registry-store.js";

/** Attempts at a generateName that collides with an existing name. */
const GENERATE_NAME_ATTEMPTS = 3;

export async function createObject(
  ctx: HandlerContext,
  kind: string,
  namespace: string,
  body: Uint8Array,
): Promise<ApiObject> {
  const info = kindOf(kind);
  const raw = parseBody(ctx, body, "request body");
  const decoded = decodeBody(info, raw);
  const ns = namespaceForObject(info, namespace, decoded.metadata.namespace);
  const { namespace: _ns, ...metadata } = decoded.metadata;
  const placed: ApiObject = {
    ...decoded,
    metadata: info.namespaced ? { ...metadata, namespace: ns } : metadata,
  };
  const defaulted = applyDefaults(placed, info);
  const errors = validateObject(defaulted, info);
  if (errors.length > 0) throw ApiError.invalid(info.kind, defaulted.metadata.name ?? "", errors);
  const nsKey = info.namespaced ? [registryKey(namespaceKind(), "", ns)] : [];
  const generated = (defaulted.metadata.name ?? "") === "" && (defaulted.metadata.generateName ?? "") !== "";
  for (let attempt = 1; ; attempt++) {
    const randomSuffix = generated ? ctx.randomSuffix() : "";
    const obj = prepareForCreate(defaulted, info, { uid: ctx.uid(), now: ctx.now(), randomSuffix });
    const name = obj.metadata.name ?? "";
    const out = await ctx.store.create(keyOf(info, ns, name), obj, nsKey);
    if (out.kind === "created") return out.stored.object;
    if (out.kind === "missing") throw new ApiError("NotFound", `namespaces "${ns}" not found`);
    if (!generated || attempt >= GENERATE_NAME_ATTEMPTS)
      throw new ApiError("AlreadyExists", `${qualified(info, name)} already exists`);
  }
}

export type Subresource = "main" | "status";

export async function updateObject(
  ctx: HandlerContext,
  kind: string,
  namespace: string,
  body: Uint8Array,
  subresource: Subresource,
): Promise<ApiObject> {
  const info = kindOf(kind);
  if (subresource === "status" && !info.hasStatus)
    throw new ApiError(
      "NotFound",
      `the server could not find the requested resource (kind "${info.kind}", subresource "status")`,
    );
  const raw = parseBody(ctx, body, "request body");
  checkBodyKind(info, raw);
  const name = bodyName(raw);
  if (name === "") throw new ApiError("BadRequest", `metadata.name is required to update a ${info.kind}`);
  const candidate = decodeBody(info, raw);
  const ns = namespaceForObject(info, namespace, candidate.metadata.namespace);
  const key = keyOf(info, ns, name);
  const pinned = candidate.metadata.resourceVersion;
  const expected =
    pinned === undefined || pinned === ""
      ? undefined
      : parseResourceVersion(pinned, "metadata.resourceVersion");
  for (let attempt = 1; ; attempt++) {
    const prev = attempt === 1 ? await readFresh(ctx, key, expected) : await ctx.store.readLinearizable(key);
    if (prev === undefined) throw notFound(info, name);
    if (expected !== undefined && prev.modRevision !== expected) throw conflict(info, name);
    const out = await writeUpdate(ctx, info, prev, withNamespace(info, candidate, ns), subresource);
    if (out !== "conflict") return out;
    if (expected !== undefined || attempt >= ctx.conflictRetriesMax) throw conflict(info, name);
  }
}

export async function patchObject(
  ctx: HandlerContext,
  kind: string,
  namespace: string,
  name: string,
  patchBytes: Uint8Array,
): Promise<ApiObject> {
  const info = kindOf(kind);
  const key = keyOf(info, namespaceForObject(info, namespace), name);
  const patch = parseBody(ctx, patchBytes, "patch");
  const md = patch.metadata;
  const pinnedRv =
    typeof md === "object" && md !== null ? (md as Record<string, unknown>).resourceVersion : undefined;
  const expected =
    typeof pinnedRv === "string" && pinnedRv !== ""
      ? parseResourceVersion(pinnedRv, "metadata.resourceVersion")
      : undefined;
  for (let attempt = 1; ; attempt++) {
    const prev = attempt === 1 ? await readFresh(ctx, key, expected) : await ctx.store.readLinearizable(key);
    if (prev === undefined) throw notFound(info, name);
    if (expected !== undefined && prev.modRevision !== expected) throw conflict(info, name);
    const patched = applyMergePatch(prev.object, patch);
    if (typeof patched !== "object" || patched === null || Array.isArray(patched))
      throw new ApiError("BadRequest", "the patched object is not a JSON object");
    checkBodyKind(info, patched as Record<string, unknown>);
    const candidate = decodeBody(info, patched as Record<string, unknown>);
    const out = await writeUpdate(ctx, info, prev, candidate, "main");
    if (out !== "conflict") return out;
    if (expected !== undefined || attempt >= ctx.conflictRetriesMax) throw conflict(info, name);
  }
}

/**
 * The update of `prev` to `candidate`: defaults, server-kept metadata, validation, then one
 * CAS on prev's revision. An unchanged object is not written (its resourceVersion stays);
 * an object being deleted whose last finalizer went is deleted.
 */
async function writeUpdate(
  ctx: HandlerContext,
  info: KindInfo,
  prev: StoredObject,
  candidate: ApiObject,
  subresource: Subresource,
): Promise<ApiObject | "conflict"> {
  const next = prepareForUpdate(applyDefaults(candidate, info), prev.object, info, subresource);
  const errors = [...validateObject(next, info), ...validateUpdate(next, prev.object, info)];
  if (errors.length > 0) throw ApiError.invalid(info.kind, prev.object.metadata.name ?? "", errors);
  const finalized = await finalizeIfDone(ctx, info, prev, next);
  if (finalized !== undefined) return finalized;
  if (sameContent(next, prev.object)) return prev.object;
  const out = await ctx.store.update(prev.key, next, prev.modRevision);
  return out.kind === "updated" ? out.stored.object : "conflict";
}

/** The body as an object of `info`: BadRequest (with the field errors) when its shape is wrong. */
function decodeBody(info: KindInfo, raw: Record<string, unknown>): ApiObject {
  checkBodyKind(info, raw);
  const decoded = decodeObject(raw, info);
  if (!decoded.ok)
    throw new ApiError(
      "BadRequest",
      `the request body is not a valid ${info.kind}: ${decoded.errors.map((e) => `${e.field}: ${e.detail}`).join(", ")}`,
      decoded.errors,
    );
  return decoded.value;
}

/** The object placed in `ns`; a cluster-scoped object loses any namespace a client sent (as in Kubernetes). */
function withNamespace(info: KindInfo, obj: ApiObject, ns: string): ApiObject {
  const { namespace: _ns, ...metadata } = obj.metadata;
  return { ...obj, metadata: info.namespaced ? { ...metadata, namespace: ns } : metadata };
}

/** Equal as JSON values (key order ignored), metadata.resourceVersion aside. */
function sameContent(a: ApiObject, b: ApiObject): boolean {
  const { resourceVersion: _a, ...ma } = a.metadata;
  const { resourceVersion: _b, ...mb } = b.metadata;
  return jsonEqual({ ...a, metadata: ma }, { ...b, metadata: mb });
}

function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((v, i) => jsonEqual(v, b[i]));
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  const ka = Object.keys(ra).filter((k) => ra[k] !== undefined);
  const kb = Object.keys(rb).filter((k) => rb[k] !== undefined);
  return ka.length === kb.length && ka.every((k) => jsonEqual(ra[k], rb[k]));
}
