/**
 * Delete, with Kubernetes' preconditions and finalizers: an object with finalizers is only
 * marked (deletionTimestamp set) and goes when an update removes its last finalizer;
 * deleting a marked object again returns it unchanged.
 *
 * Namespaces: deleting a namespace that still holds objects is refused (Conflict), checked
 * in the deleting transaction itself, and creates in a namespace check that it exists in
 * theirs, so no object can be left in a namespace that is gone. The namespaces the cluster
 * needs (default, kube-system, kube-public) cannot be deleted.
 */
import {
  type ApiObject,
  KINDS,
  type KindInfo,
  markDeleted,
  registryPrefix,
} from "../../../libs/api/index.js";
import { ApiError } from "./api-error.js";
import {
  conflict,
  type HandlerContext,
  keyOf,
  kindOf,
  namespaceForObject,
  notFound,
  parseResourceVersion,
  qualified,
  readFresh,
} from "./handler-context.js";
import type { StoredObject } from "./registry-store.js";

export interface DeleteParams {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  /** "" = no precondition. */
  readonly uid: string;
  /** "" = no precondition. */
  readonly resourceVersion: string;
}

/** Namespaces Kubernetes refuses to delete. */
export const PROTECTED_NAMESPACES: readonly string[] = ["default", "kube-system", "kube-public"];

/** Deletes (or marks) an object; resolves with it as deleted or as marked. */
export async function deleteObject(ctx: HandlerContext, p: DeleteParams): Promise<ApiObject> {
  const info = kindOf(p.kind);
  const key = keyOf(info, namespaceForObject(info, p.namespace), p.name);
  if (info.kind === "Namespace" && PROTECTED_NAMESPACES.includes(p.name))
    throw new ApiError("BadRequest", `${qualified(info, p.name)} may not be deleted: the cluster needs it`);
  const expected =
    p.resourceVersion === ""
      ? undefined
      : parseResourceVersion(p.resourceVersion, "preconditions.resourceVersion");
  for (let attempt = 1; ; attempt++) {
    const prev = attempt === 1 ? await readFresh(ctx, key, expected) : await ctx.store.readLinearizable(key);
    if (prev === undefined) throw notFound(info, p.name);
    checkPreconditions(prev, p);
    const out = await deleteOnce(ctx, info, prev);
    if (out !== "conflict") return out;
    if (expected !== undefined || attempt >= ctx.conflictRetriesMax) throw conflict(info, p.name);
  }
}

/**
 * When an update leaves an object marked for deletion with no finalizer, deletes it (CAS on
 * prev's revision) instead of writing it, and resolves with it; undefined when `next` is
 * still to be stored.
 */
export async function finalizeIfDone(
  ctx: HandlerContext,
  info: KindInfo,
  prev: StoredObject,
  next: ApiObject,
): Promise<ApiObject | "conflict" | undefined> {
  if (next.metadata.deletionTimestamp === undefined || (next.metadata.finalizers ?? []).length > 0)
    return undefined;
  const out = await ctx.store.delete(prev.key, prev.modRevision, emptyPrefixes(info, next));
  if (out.kind === "deleted") return next;
  if (out.kind === "notEmpty") throw notEmpty(info, next.metadata.name ?? "", out.prefix, out.count);
  return "conflict";
}

async function deleteOnce(
  ctx: HandlerContext,
  info: KindInfo,
  prev: StoredObject,
): Promise<ApiObject | "conflict"> {
  const obj = prev.object;
  if ((obj.metadata.finalizers ?? []).length > 0) {
    // Finalizers hold it: mark once; a second delete returns the marked object unchanged.
    if (obj.metadata.deletionTimestamp !== undefined) return obj;
    const marked = markDeleted(obj, ctx.now());
    const out = await ctx.store.update(prev.key, marked, prev.modRevision);
    return out.kind === "updated" ? out.stored.object : "conflict";
  }
  const out = await ctx.store.delete(prev.key, prev.modRevision, emptyPrefixes(info, obj));
  if (out.kind === "deleted") return obj;
  if (out.kind === "notEmpty") throw notEmpty(info, obj.metadata.name ?? "", out.prefix, out.count);
  return "conflict";
}

function checkPreconditions(prev: StoredObject, p: DeleteParams): void {
  const md = prev.object.metadata;
  if (p.uid !== "" && p.uid !== md.uid)
    throw new ApiError(
      "Conflict",
      `Precondition failed: UID in precondition: ${p.uid}, UID in object meta: ${md.uid ?? ""}`,
    );
  if (p.resourceVersion !== "" && p.resourceVersion !== md.resourceVersion)
    throw new ApiError(
      "Conflict",
      `Precondition failed: ResourceVersion in precondition: ${p.resourceVersion}, ResourceVersion in object meta: ${md.resourceVersion ?? ""}`,
    );
}

/** For a Namespace: the prefix of every namespaced kind inside it, which must be empty. */
function emptyPrefixes(info: KindInfo, obj: ApiObject): string[] {
  if (info.kind !== "Namespace") return [];
  const ns = obj.metadata.name ?? "";
  return KINDS.filter((k) => k.namespaced).map((k) => registryPrefix(k, ns));
}

function notEmpty(info: KindInfo, name: string, prefix: string, count: number): ApiError {
  const holder = KINDS.find((k) => k.namespaced && prefix === registryPrefix(k, name));
  const what = holder === undefined ? `${count} objects` : `${count} ${holder.resource}`;
  return new ApiError(
    "Conflict",
    `${qualified(info, name)} is not empty: it still holds ${what}; delete every object in it first`,
  );
}
