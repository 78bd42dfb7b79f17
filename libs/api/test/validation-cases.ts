/** Shared by the validation message tests: apimachinery's long messages, and a decode+defaults+validate helper. */
import {
  type ApiObject,
  applyDefaults,
  applyMergePatch,
  decodeObject,
  formatFieldError,
  resolveKind,
  validateObject,
} from "../index.js";

export const SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
export const LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
export const DNS1035_MSG =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
export const LABEL_VALUE_MSG =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
export const QUALIFIED_NAME_PART_MSG =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
export const CONFIG_KEY_MSG =
  "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";

/** Decodes, defaults (unless told not to) and validates `base` merge-patched with `patch`. */
export function errorsOf(base: object, patch: unknown, defaults = true): string[] {
  const manifest = (patch === null ? base : applyMergePatch(base, patch)) as Record<string, unknown>;
  const info = resolveKind(String(manifest["kind"]))!;
  const decoded = decodeObject(manifest, info);
  if (!decoded.ok) return decoded.errors.map(formatFieldError);
  const obj: ApiObject = defaults ? applyDefaults(decoded.value, info) : decoded.value;
  return validateObject(obj, info).map(formatFieldError);
}

/** One table row: what is wrong, the manifest, a merge patch (null = none), the messages expected. */
export type Case = readonly [description: string, base: object, patch: unknown, expected: readonly string[]];
