/** ConfigMap and Secret rules: valid config keys, base64 Secret data, a 1 MiB total, and `immutable`. */

import { base64ErrorOffset } from "../base64.js";
import { forbidden, invalid, tooLong } from "../field-error.js";
import { deepEqual, isRecord, type JsonRecord } from "../json.js";
import { type Errors, key, optBoolean, optString } from "./common.js";
import { isConfigMapKey } from "./names.js";

/** Kubernetes' MaxSecretSize and the ConfigMap limit: 1 MiB of data. */
export const DATA_BYTES_MAX = 1024 * 1024;

function validateKeys(
  map: unknown,
  path: string,
  errs: Errors,
  each?: (k: string, v: string, p: string) => void,
): number {
  if (map === undefined || map === null) return 0;
  if (!isRecord(map)) {
    errs.push(invalid(path, map, "must be an object of strings"));
    return 0;
  }
  let bytes = 0;
  for (const [k, v] of Object.entries(map)) {
    const p = key(path, k);
    for (const m of isConfigMapKey(k)) errs.push(invalid(p, k, m));
    if (typeof v !== "string") errs.push(invalid(p, v, "must be a string"));
    else {
      bytes += v.length;
      each?.(k, v, p);
    }
  }
  return bytes;
}

function checkBase64(_k: string, v: string, p: string, errs: Errors): void {
  const at = base64ErrorOffset(v);
  if (at !== undefined)
    errs.push(invalid(p, "<secret contents redacted>", `illegal base64 data at input byte ${at}`));
}

/** ValidateConfigMap: keys in data and binaryData are config keys and never in both; binaryData is base64. */
export function validateConfigMap(obj: JsonRecord, errs: Errors): void {
  optBoolean(obj, "immutable", "immutable", errs);
  let bytes = validateKeys(obj["data"], "data", errs);
  bytes += validateKeys(obj["binaryData"], "binaryData", errs, (k, v, p) => checkBase64(k, v, p, errs));
  const data = isRecord(obj["data"]) ? obj["data"] : {};
  const binary = isRecord(obj["binaryData"]) ? obj["binaryData"] : {};
  for (const k of Object.keys(binary)) {
    if (Object.hasOwn(data, k))
      errs.push(invalid(key("data", k), k, "duplicate of key present in binaryData"));
  }
  if (bytes > DATA_BYTES_MAX) errs.push(tooLong("", DATA_BYTES_MAX));
}

/** ValidateSecret: keys are config keys, data values base64; stringData keys too. */
export function validateSecret(obj: JsonRecord, errs: Errors): void {
  optBoolean(obj, "immutable", "immutable", errs);
  optString(obj, "type", "type", errs);
  let bytes = validateKeys(obj["data"], "data", errs, (k, v, p) => checkBase64(k, v, p, errs));
  bytes += validateKeys(obj["stringData"], "stringData", errs);
  if (bytes > DATA_BYTES_MAX) errs.push(tooLong("data", DATA_BYTES_MAX));
}

/** An immutable ConfigMap or Secret keeps its data; `immutable` cannot be unset. */
export function validateConfigUpdate(next: JsonRecord, prev: JsonRecord, errs: Errors): void {
  if (prev["immutable"] !== true) return;
  if (next["immutable"] !== true)
    errs.push(forbidden("immutable", "field is immutable when `immutable` is set"));
  for (const f of ["data", "binaryData", "stringData"]) {
    if (!deepEqual(next[f], prev[f])) errs.push(forbidden(f, "field is immutable when `immutable` is set"));
  }
}
