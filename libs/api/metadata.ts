/**
 * The metadata the server keeps, as Kubernetes' registry strategies set it: uid,
 * creationTimestamp, generation (bumped on spec changes only), deletionTimestamp; and which
 * parts of an object Update and UpdateStatus may replace. resourceVersion is the store's
 * business: these functions clear or keep it, the storage layer fills it in.
 */
import { cloneJson, deepEqual, isRecord, type JsonRecord } from "./json.js";
import { type KindInfo, specFieldsOf } from "./kinds.js";
import type { ApiObject, ObjectMeta } from "./types/meta.js";
import { GENERATED_NAME_PREFIX_MAX_LENGTH } from "./validation/names.js";

/** What the server supplies to a create: this library has no clock and no randomness. */
export interface CreateContext {
  /** The new object's uid (a UUID). */
  readonly uid: string;
  /** The creation time, RFC 3339 ("2026-11-22T07:40:26Z"). */
  readonly now: string;
  /** 5 characters [a-z0-9] appended to generateName. */
  readonly randomSuffix: string;
}

/** metadata fields a client may never set; the server owns them. */
const SERVER_OWNED_META = [
  "uid",
  "creationTimestamp",
  "deletionTimestamp",
  "deletionGracePeriodSeconds",
  "resourceVersion",
  "generation",
  "selfLink",
] as const;

/** The status a new object starts with, per kind (the rest keep what the client sent). */
function initialStatus(info: KindInfo): JsonRecord | undefined {
  switch (info.kind) {
    case "Pod":
    case "PersistentVolumeClaim":
      return { phase: "Pending" };
    case "Namespace":
      return { phase: "Active" };
    case "ReplicaSet":
    case "Deployment":
    case "StatefulSet":
    case "Service":
      return {};
    default:
      return undefined;
  }
}

/**
 * Sets uid, creationTimestamp, generation 1 and the name from generateName (cut to 58
 * characters, then the 5-character suffix, as Kubernetes' SimpleNameGenerator); clears
 * resourceVersion, deletionTimestamp and any server-owned field a client sent; resets the
 * status of kinds whose status the controllers own (Pod and PVC start Pending, Namespace
 * Active, workloads and Services empty). Node, Lease and Event keep what the client sent.
 */
export function prepareForCreate(obj: ApiObject, info: KindInfo, ctx: CreateContext): ApiObject {
  const out = cloneJson(obj);
  const meta: ObjectMeta = isRecord(out.metadata) ? out.metadata : {};
  out.metadata = meta;
  for (const f of SERVER_OWNED_META) delete meta[f];
  if (
    (meta.name === undefined || meta.name === "") &&
    typeof meta.generateName === "string" &&
    meta.generateName !== ""
  ) {
    meta.name = meta.generateName.slice(0, GENERATED_NAME_PREFIX_MAX_LENGTH) + ctx.randomSuffix;
  }
  meta.uid = ctx.uid;
  meta.creationTimestamp = ctx.now;
  meta.generation = 1;
  if (!info.namespaced) delete meta.namespace;
  const status = initialStatus(info);
  if (status !== undefined) out.status = status;
  return out;
}

/** True when the fields that make up the kind's desired state differ (see specFieldsOf). */
export function specChanged(next: ApiObject, prev: ApiObject, info: KindInfo): boolean {
  const fields = new Set([...specFieldsOf(next, info), ...specFieldsOf(prev, info)]);
  for (const f of fields) if (!deepEqual(next[f], prev[f])) return true;
  return false;
}

/**
 * For Update ("main"): `next` with uid, creationTimestamp, deletionTimestamp,
 * deletionGracePeriodSeconds and (for kinds with a status subresource) status kept from
 * `prev`; generation is prev's, plus one when the spec changed (for kinds without spec:
 * data, binaryData, subsets, ... — every top-level field but apiVersion, kind, metadata and
 * status). Never bumped by status or metadata-only changes.
 * For UpdateStatus ("status"): `prev` with only status taken from `next`.
 * resourceVersion is left as `next` sent it, for the caller's compare-and-swap.
 */
export function prepareForUpdate(
  next: ApiObject,
  prev: ApiObject,
  info: KindInfo,
  subresource: "main" | "status",
): ApiObject {
  const prevMeta: ObjectMeta = isRecord(prev.metadata) ? prev.metadata : {};
  const nextMeta: ObjectMeta = isRecord(next.metadata) ? next.metadata : {};
  if (subresource === "status") {
    const out = cloneJson(prev);
    if (next.status === undefined) delete out.status;
    else out.status = cloneJson(next.status);
    if (nextMeta.resourceVersion !== undefined) out.metadata.resourceVersion = nextMeta.resourceVersion;
    else delete out.metadata.resourceVersion;
    return out;
  }
  const out = cloneJson(next);
  const meta: ObjectMeta = isRecord(out.metadata) ? out.metadata : {};
  out.metadata = meta;
  const fields: Record<string, unknown> = meta;
  for (const f of ["uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds"]) {
    if (prevMeta[f] === undefined) delete fields[f];
    else fields[f] = cloneJson(prevMeta[f]);
  }
  if (info.hasStatus) {
    if (prev.status === undefined) delete out.status;
    else out.status = cloneJson(prev.status);
  }
  const generation = typeof prevMeta.generation === "number" ? prevMeta.generation : 1;
  meta.generation = specChanged(out, prev, info) ? generation + 1 : generation;
  return out;
}

/**
 * Marks for deletion: deletionTimestamp = now (kept when already set, so a second delete
 * does not move it) and deletionGracePeriodSeconds = 0. The generation is not bumped.
 */
export function markDeleted(obj: ApiObject, now: string): ApiObject {
  const out = cloneJson(obj);
  const meta: ObjectMeta = isRecord(out.metadata) ? out.metadata : {};
  out.metadata = meta;
  if (meta.deletionTimestamp === undefined || meta.deletionTimestamp === "") meta.deletionTimestamp = now;
  meta.deletionGracePeriodSeconds = 0;
  return out;
}
