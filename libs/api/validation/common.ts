/**
 * Helpers shared by the per-kind validators: typed reads of unknown JSON that report a
 * field error instead of throwing, and apimachinery's generic checks (non-negative,
 * label maps, label selectors, quantities, enums).
 */
import { type FieldError, invalid, notSupported, required } from "../field-error.js";
import { child, index, isInteger, isRecord, type JsonRecord, key } from "../json.js";
import { isQualifiedName, isValidLabelValue } from "./names.js";
import { quantityError, quantitySign } from "./quantity.js";

/** apimachinery's isNegativeErrorMsg. */
export const NEGATIVE_ERROR = "must be greater than or equal to 0";
/** apimachinery's FieldImmutableErrorMsg. */
export const IMMUTABLE_ERROR = "field is immutable";

/** Collects errors while a validator walks one object. */
export type Errors = FieldError[];

/** The record at `parent[name]`; reports a type error when present but not an object. */
export function optRecord(
  parent: JsonRecord,
  name: string,
  path: string,
  errs: Errors,
): JsonRecord | undefined {
  const v = parent[name];
  if (v === undefined || v === null) return undefined;
  if (isRecord(v)) return v;
  errs.push(invalid(path, v, "must be an object"));
  return undefined;
}

/** The array at `parent[name]`; reports a type error when present but not an array. */
export function optArray(
  parent: JsonRecord,
  name: string,
  path: string,
  errs: Errors,
): unknown[] | undefined {
  const v = parent[name];
  if (v === undefined || v === null) return undefined;
  if (Array.isArray(v)) return v;
  errs.push(invalid(path, v, "must be an array"));
  return undefined;
}

/** The string at `parent[name]` ("" when absent); reports a type error when not a string. */
export function optString(parent: JsonRecord, name: string, path: string, errs: Errors): string | undefined {
  const v = parent[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v === "string") return v;
  errs.push(invalid(path, v, "must be a string"));
  return undefined;
}

/** The integer at `parent[name]`; reports a type error when present but not an integer. */
export function optInteger(parent: JsonRecord, name: string, path: string, errs: Errors): number | undefined {
  const v = parent[name];
  if (v === undefined || v === null) return undefined;
  if (isInteger(v)) return v;
  errs.push(invalid(path, v, "must be an integer"));
  return undefined;
}

/** The boolean at `parent[name]`; reports a type error when present but not a boolean. */
export function optBoolean(
  parent: JsonRecord,
  name: string,
  path: string,
  errs: Errors,
): boolean | undefined {
  const v = parent[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v === "boolean") return v;
  errs.push(invalid(path, v, "must be a boolean"));
  return undefined;
}

/** The records of an array, each at `path[i]`; non-objects are reported and skipped. */
export function eachRecord(
  items: readonly unknown[],
  path: string,
  errs: Errors,
  fn: (item: JsonRecord, p: string, i: number) => void,
): void {
  items.forEach((item, i) => {
    const p = index(path, i);
    if (isRecord(item)) fn(item, p, i);
    else errs.push(invalid(p, item, "must be an object"));
  });
}

/** apimachinery's ValidateNonnegativeField. */
export function nonNegative(value: number | undefined, path: string, errs: Errors): void {
  if (value !== undefined && value < 0) errs.push(invalid(path, value, NEGATIVE_ERROR));
}

/** An enum field: Required when empty (if `mustBeSet`), NotSupported when unknown. */
export function oneOf(
  value: string | undefined,
  valid: readonly string[],
  path: string,
  errs: Errors,
  mustBeSet = true,
): void {
  if (value === undefined || value === "") {
    if (mustBeSet) errs.push(required(path));
    return;
  }
  if (!valid.includes(value)) errs.push(notSupported(path, value, valid));
}

/** apimachinery's ValidateLabelName: a qualified name, errors on `path` itself. */
export function validateLabelName(name: string, path: string, errs: Errors): void {
  for (const m of isQualifiedName(name)) errs.push(invalid(path, name, m));
}

/** apimachinery's ValidateLabels: keys are qualified names, values label values. */
export function validateLabels(labels: unknown, path: string, errs: Errors): void {
  if (labels === undefined || labels === null) return;
  if (!isRecord(labels)) {
    errs.push(invalid(path, labels, "must be an object of strings"));
    return;
  }
  for (const [k, v] of Object.entries(labels)) {
    validateLabelName(k, path, errs);
    if (typeof v !== "string") errs.push(invalid(key(path, k), v, "must be a string"));
    else for (const m of isValidLabelValue(v)) errs.push(invalid(path, v, m));
  }
}

/** Resource names without a '/' that Kubernetes knows. */
const STANDARD_RESOURCES: ReadonlySet<string> = new Set([
  "cpu",
  "memory",
  "storage",
  "ephemeral-storage",
  "pods",
]);

/** A ResourceList: names standard or qualified, values non-negative quantities. */
export function validateResourceList(list: unknown, path: string, errs: Errors): void {
  if (list === undefined || list === null) return;
  if (!isRecord(list)) {
    errs.push(invalid(path, list, "must be an object"));
    return;
  }
  for (const [name, v] of Object.entries(list)) {
    validateResourceName(name, key(path, name), errs);
    validateQuantity(v, key(path, name), errs);
  }
}

function validateResourceName(name: string, path: string, errs: Errors): void {
  for (const m of isQualifiedName(name)) errs.push(invalid(path, name, m));
  if (!name.includes("/") && !STANDARD_RESOURCES.has(name) && !name.startsWith("hugepages-")) {
    errs.push(invalid(path, name, "must be a standard resource type or fully qualified"));
  }
}

/** A non-negative quantity; numbers are accepted, as Kubernetes accepts `cpu: 2`. */
export function validateQuantity(v: unknown, path: string, errs: Errors): void {
  const text = typeof v === "number" && Number.isFinite(v) ? String(v) : v;
  if (typeof text !== "string") {
    errs.push(invalid(path, v, "must be a quantity string"));
    return;
  }
  const e = quantityError(text);
  if (e !== undefined) errs.push(invalid(path, text, e));
  else if ((quantitySign(text) ?? 0) < 0) errs.push(invalid(path, text, NEGATIVE_ERROR));
}

/** `child` re-exported for validators that only import from here. */
export { child, index, key };
