/**
 * The first step for any object a client sends: check that it is JSON of bounded depth and
 * has the envelope every object needs (apiVersion, kind, metadata of the right types), for
 * the kind the request names. Unknown fields are kept everywhere.
 */
import { type FieldError, invalid } from "./field-error.js";
import { child, cloneJson, isInteger, isRecord, type JsonRecord, key } from "./json.js";
import type { KindInfo } from "./kinds.js";
import { fail, ok, type Result } from "./result.js";
import type { ApiObject } from "./types/meta.js";

/** Deepest nesting accepted; Kubernetes' own objects nest fewer than 20 levels. */
export const JSON_DEPTH_MAX = 100;
/** Most JSON values (objects, arrays and scalars) in one object. */
export const JSON_VALUES_MAX = 1_000_000;

const STRING_META = [
  "name",
  "generateName",
  "namespace",
  "uid",
  "resourceVersion",
  "creationTimestamp",
  "deletionTimestamp",
  "selfLink",
] as const;
const INTEGER_META = ["generation", "deletionGracePeriodSeconds"] as const;

/**
 * Checks the JSON shape every object needs (an object with apiVersion, kind, metadata as
 * objects/strings of the right types) and that kind/apiVersion match `info`. A missing
 * apiVersion or kind is filled from `info`, as Kubernetes fills them from the request path;
 * a missing metadata becomes `{}`; null in a string or integer metadata field (kubectl
 * prints `creationTimestamp: null`) means unset. Returns a copy; never throws.
 */
export function decodeObject(json: unknown, info: KindInfo): Result<ApiObject> {
  const shape = checkJsonShape(json);
  if (shape !== undefined) return fail([shape]);
  if (!isRecord(json)) return fail([{ type: "Invalid", field: "object", detail: "must be a JSON object" }]);
  const obj = cloneJson(json);
  const errors: FieldError[] = [];
  checkTypeField(obj, "apiVersion", info.apiVersion, "API version", errors);
  checkTypeField(obj, "kind", info.kind, "kind", errors);
  if (obj["metadata"] === undefined || obj["metadata"] === null) obj["metadata"] = {};
  const meta = obj["metadata"];
  if (!isRecord(meta)) errors.push(invalid("metadata", meta, "must be an object"));
  else checkMeta(meta, errors);
  if (errors.length > 0) return fail(errors);
  return ok(obj as ApiObject);
}

/** A field error when `json` is not a JSON value or nests too deep; iterative, so it never overflows. */
function checkJsonShape(json: unknown): FieldError | undefined {
  const stack: [unknown, number][] = [[json, 1]];
  let count = 0;
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    count++;
    if (count > JSON_VALUES_MAX)
      return { type: "Invalid", field: "object", detail: `must have at most ${JSON_VALUES_MAX} values` };
    if (depth > JSON_DEPTH_MAX)
      return {
        type: "Invalid",
        field: "object",
        detail: `must not nest deeper than ${JSON_DEPTH_MAX} levels`,
      };
    switch (typeof v) {
      case "string":
      case "boolean":
        continue;
      case "number":
        if (!Number.isFinite(v))
          return { type: "Invalid", field: "object", detail: "numbers must be finite" };
        continue;
      case "object":
        if (v === null) continue;
        for (const x of Array.isArray(v) ? v : Object.values(v)) stack.push([x, depth + 1]);
        continue;
      default:
        return { type: "Invalid", field: "object", detail: "must be a JSON value" };
    }
  }
  return undefined;
}

function checkTypeField(
  obj: JsonRecord,
  field: string,
  expected: string,
  what: string,
  errors: FieldError[],
): void {
  const v = obj[field];
  if (v === undefined || v === null || v === "") {
    obj[field] = expected;
    return;
  }
  if (typeof v !== "string") {
    errors.push(invalid(field, v, "must be a string"));
    return;
  }
  if (v !== expected) {
    errors.push(
      invalid(field, v, `the ${what} in the data (${v}) does not match the expected ${what} (${expected})`),
    );
  }
}

function checkMeta(meta: JsonRecord, errors: FieldError[]): void {
  const path = "metadata";
  for (const f of STRING_META) {
    const v = meta[f];
    if (v === null) delete meta[f];
    else if (v !== undefined && typeof v !== "string")
      errors.push(invalid(child(path, f), v, "must be a string"));
  }
  for (const f of INTEGER_META) {
    const v = meta[f];
    if (v === null) delete meta[f];
    else if (v !== undefined && !isInteger(v)) errors.push(invalid(child(path, f), v, "must be an integer"));
  }
  for (const f of ["labels", "annotations"] as const) checkStringMap(meta, f, child(path, f), errors);
  checkFinalizers(meta, errors);
  checkOwnerReferences(meta, errors);
}

function checkStringMap(parent: JsonRecord, f: string, path: string, errors: FieldError[]): void {
  const v = parent[f];
  if (v === undefined) return;
  if (v === null) {
    delete parent[f];
    return;
  }
  if (!isRecord(v)) {
    errors.push(invalid(path, v, "must be an object of strings"));
    return;
  }
  for (const [k, x] of Object.entries(v)) {
    if (typeof x !== "string") errors.push(invalid(key(path, k), x, "must be a string"));
  }
}

function checkFinalizers(meta: JsonRecord, errors: FieldError[]): void {
  const v = meta["finalizers"];
  if (v === undefined || v === null) {
    delete meta["finalizers"];
    return;
  }
  if (!Array.isArray(v)) {
    errors.push(invalid("metadata.finalizers", v, "must be an array of strings"));
    return;
  }
  v.forEach((x, i) => {
    if (typeof x !== "string") errors.push(invalid(`metadata.finalizers[${i}]`, x, "must be a string"));
  });
}

function checkOwnerReferences(meta: JsonRecord, errors: FieldError[]): void {
  const v = meta["ownerReferences"];
  if (v === undefined || v === null) {
    delete meta["ownerReferences"];
    return;
  }
  if (!Array.isArray(v)) {
    errors.push(invalid("metadata.ownerReferences", v, "must be an array"));
    return;
  }
  v.forEach((ref, i) => {
    const p = `metadata.ownerReferences[${i}]`;
    if (!isRecord(ref)) {
      errors.push(invalid(p, ref, "must be an object"));
      return;
    }
    for (const f of ["apiVersion", "kind", "name", "uid"]) {
      const x = ref[f];
      if (x !== undefined && typeof x !== "string") errors.push(invalid(child(p, f), x, "must be a string"));
    }
    for (const f of ["controller", "blockOwnerDeletion"]) {
      const x = ref[f];
      if (x !== undefined && x !== null && typeof x !== "boolean")
        errors.push(invalid(child(p, f), x, "must be a boolean"));
    }
  });
}
