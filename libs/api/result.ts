import type { FieldError } from "./field-error.js";

/**
 * The outcome of parsing or decoding: a value, or every field error found. Expected
 * failures are values, never exceptions, so a server can map them to one gRPC status.
 */
export type Result<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly errors: readonly FieldError[] };

/** A successful Result. */
export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

/** A failed Result; `errors` should not be empty. */
export function fail<T>(errors: readonly FieldError[]): Result<T> {
  return { ok: false, errors };
}
