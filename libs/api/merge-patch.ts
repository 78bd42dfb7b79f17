/**
 * RFC 7386 JSON merge patch, the `Patch` RPC's format (kubectl's `--type merge`).
 */
import { cloneJson, fromEntries, isRecord } from "./json.js";

/**
 * Applies `patch` to `target` as RFC 7386 section 2 defines it: objects merge key by key,
 * null removes a key, anything else replaces. Never mutates its inputs; the result shares
 * no objects with them.
 */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isRecord(patch)) return cloneJson(patch);
  const base: [string, unknown][] = isRecord(target) ? Object.entries(target) : [];
  const out = new Map<string, unknown>(base.map(([k, v]) => [k, cloneJson(v)]));
  for (const [name, value] of Object.entries(patch)) {
    if (value === null) out.delete(name);
    else out.set(name, applyMergePatch(out.get(name), value));
  }
  return fromEntries(out);
}
