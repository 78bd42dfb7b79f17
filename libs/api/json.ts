/**
 * Small helpers for objects that are JSON values of unknown shape. Every function here is
 * total: it never throws on any JSON input (decodeObject bounds the nesting depth first, so
 * the recursion below stays shallow).
 */

/** A JSON object (not an array, not null). */
export type JsonRecord = Record<string, unknown>;

/** True for a plain JSON object (not null, not an array). */
export function isRecord(v: unknown): v is JsonRecord {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** True for a JSON object whose every value is a string (labels, annotations, nodeSelector). */
export function isStringMap(v: unknown): v is Record<string, string> {
  return isRecord(v) && Object.values(v).every((x) => typeof x === "string");
}

/** True for an integer number (Kubernetes' int32/int64 fields). */
export function isInteger(v: unknown): v is number {
  return typeof v === "number" && Number.isSafeInteger(v);
}

/** Structural equality of JSON values; key order does not matter. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => deepEqual(x, b[i]));
  }
  if (Array.isArray(b)) return false;
  const ak = Object.keys(a);
  const bk = Object.keys(b);
  if (ak.length !== bk.length) return false;
  const br = b as JsonRecord;
  const ar = a as JsonRecord;
  return ak.every((k) => Object.hasOwn(br, k) && deepEqual(ar[k], br[k]));
}

/** A deep copy of a JSON value (own enumerable keys; `__proto__` keys stay plain data). */
export function cloneJson<T>(v: T): T {
  if (typeof v !== "object" || v === null) return v;
  if (Array.isArray(v)) return v.map((x) => cloneJson(x)) as T;
  return fromEntries(Object.entries(v).map(([k, x]) => [k, cloneJson(x)])) as T;
}

/** Object.fromEntries: defines data properties, so a key "__proto__" never sets a prototype. */
export function fromEntries(entries: Iterable<readonly [string, unknown]>): JsonRecord {
  return Object.fromEntries(entries) as JsonRecord;
}

/** Sets `obj[key] = value` as a data property, safe for any key. */
export function setField(obj: JsonRecord, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
}

/** The record at `obj[key]`, or undefined when absent or not an object. */
export function recordAt(obj: unknown, key: string): JsonRecord | undefined {
  if (!isRecord(obj)) return undefined;
  const v = obj[key];
  return isRecord(v) ? v : undefined;
}

/** The string at `obj[key]`, or undefined. */
export function stringAt(obj: unknown, key: string): string | undefined {
  if (!isRecord(obj)) return undefined;
  const v = obj[key];
  return typeof v === "string" ? v : undefined;
}

/** The array at `obj[key]`, or undefined. */
export function arrayAt(obj: unknown, key: string): unknown[] | undefined {
  if (!isRecord(obj)) return undefined;
  const v = obj[key];
  return Array.isArray(v) ? v : undefined;
}

/** `base.child` in Kubernetes path notation; an empty base gives `child`. */
export function child(base: string, name: string): string {
  return base.length === 0 ? name : `${base}.${name}`;
}

/** `base[i]`. */
export function index(base: string, i: number): string {
  return `${base}[${i}]`;
}

/** `base[key]`, as apimachinery's Path.Key. */
export function key(base: string, k: string): string {
  return `${base}[${k}]`;
}
