/**
 * List continue tokens, shaped like Kubernetes' (base64 of JSON {v, rv, start}): the
 * revision the first page was read at, and where the next page starts. Every page is read
 * at that one revision, so the pages of a list together are one consistent snapshot even
 * while objects change between pages.
 *
 * `start` is relative to the list's prefix, so a token can never make a list read keys
 * outside the prefix it was asked for (a token from another list just starts elsewhere in
 * this one).
 */
import { ApiError } from "./api-error.js";

const TOKEN_VERSION = "flotilla/v1";
/** A token longer than this is not one of ours. */
const TOKEN_CHARS_MAX = 8192;

export interface ContinuePoint {
  /** The revision every page of the list is read at. */
  readonly revision: number;
  /** The next key to read, relative to the list's prefix. */
  readonly start: string;
}

export function encodeContinue(point: ContinuePoint): string {
  return Buffer.from(
    JSON.stringify({ v: TOKEN_VERSION, rv: point.revision, start: point.start }),
    "utf8",
  ).toString("base64url");
}

/** Parses a token from a client; BadRequest when it is not one this server issued. */
export function decodeContinue(token: string): ContinuePoint {
  const bad = (why: string): ApiError => new ApiError("BadRequest", `continue key is not valid: ${why}`);
  if (token.length > TOKEN_CHARS_MAX) throw bad("too long");
  if (!/^[A-Za-z0-9_\-+/]*={0,2}$/.test(token)) throw bad("not base64");
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
  } catch {
    throw bad("not base64-encoded JSON");
  }
  if (typeof parsed !== "object" || parsed === null) throw bad("not a JSON object");
  const { v, rv, start } = parsed as Record<string, unknown>;
  if (v !== TOKEN_VERSION) throw bad(`unknown version ${JSON.stringify(v)} (expected ${TOKEN_VERSION})`);
  if (typeof rv !== "number" || !Number.isSafeInteger(rv) || rv <= 0)
    throw bad("incorrect encoded start resourceVersion");
  if (typeof start !== "string" || start === "") throw bad("incorrect encoded start key");
  return { revision: rv, start };
}
