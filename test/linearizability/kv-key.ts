import type { KvInput, KvOutput } from "./kv-types.js";
import type { Unknown } from "./types.js";
import { UNKNOWN } from "./types.js";

/**
 * The sequential semantics of one key, shared by the per-key and the whole-store models.
 *
 * Revision rules (etcd): every write (put, delete of an existing key, successful swap) gets
 * the next store-wide revision, so in any linearization the revisions of writes increase.
 * The caller supplies `floor`, a revision every later write must exceed; the per-key model
 * keeps one per key and the whole-store model one for the store. A write whose revision is
 * unknown (outcome unknown, or not recorded) leaves `modRevision` unknown; a later read that
 * reports it fills it in, which is sound because the read observes the real store.
 */

/** What is known about one key. Canonical: `unknownAbove` is 0 unless it matters. */
export interface KeyEntry {
  readonly value: string | null;
  /** The modRevision a read must report; null when absent or not known. */
  readonly modRevision: number | null;
  /** With a present value of unknown modRevision: that modRevision exceeds this. Else 0. */
  readonly unknownAbove: number;
}

export const ABSENT: KeyEntry = Object.freeze({ value: null, modRevision: null, unknownAbove: 0 });

export type KeyStep =
  | { readonly ok: true; readonly entry: KeyEntry; readonly floor: number }
  | { readonly ok: false; readonly reason: string };

/** Applies `input` to the key if `output` is possible in `entry` with revision floor `floor`. */
export function stepKey(entry: KeyEntry, floor: number, input: KvInput, output: KvOutput | Unknown): KeyStep {
  if (output !== UNKNOWN && output.kind !== input.kind) {
    return { ok: false, reason: `output of kind ${output.kind} for a ${input.kind}` };
  }
  const unchanged: KeyStep = { ok: true, entry, floor };
  switch (input.kind) {
    case "get":
      return output === UNKNOWN || output.kind !== "get" ? unchanged : stepGet(entry, floor, output);
    case "put":
      return write(
        floor,
        input.value,
        output === UNKNOWN || output.kind !== "put" ? undefined : output.revision,
      );
    case "delete": {
      if (output === UNKNOWN || output.kind !== "delete") return write(floor, null, undefined);
      const existed = entry.value !== null ? 1 : 0;
      if (output.deleted !== existed) {
        return { ok: false, reason: `deleted ${output.deleted} but the key was ${describeEntry(entry)}` };
      }
      return existed === 1 ? write(floor, null, output.revision) : unchanged;
    }
    case "cas": {
      const matches = entry.value === input.expected;
      if (output === UNKNOWN || output.kind !== "cas") {
        return matches ? write(floor, input.value, undefined) : unchanged;
      }
      if (output.succeeded !== matches) {
        const verb = output.succeeded ? "succeeded" : "failed";
        return {
          ok: false,
          reason: `swap expecting ${show(input.expected)} ${verb} but the key was ${describeEntry(entry)}`,
        };
      }
      return matches ? write(floor, input.value, output.revision) : unchanged;
    }
    default: {
      const never: never = input;
      throw new Error(`unhandled kv input ${JSON.stringify(never)}`);
    }
  }
}

function stepGet(
  entry: KeyEntry,
  floor: number,
  out: { value: string | null; modRevision?: number },
): KeyStep {
  if (out.value !== entry.value) {
    return { ok: false, reason: `read ${show(out.value)} but the key was ${describeEntry(entry)}` };
  }
  const r = out.modRevision;
  if (r === undefined) return { ok: true, entry, floor };
  if (entry.value === null) return { ok: false, reason: `read modRevision ${r} of an absent key` };
  if (entry.modRevision !== null) {
    if (r === entry.modRevision) return { ok: true, entry, floor };
    return { ok: false, reason: `read modRevision ${r} but the key was ${describeEntry(entry)}` };
  }
  if (r <= entry.unknownAbove) {
    return {
      ok: false,
      reason: `read modRevision ${r} but the write of ${show(entry.value)} came after ${entry.unknownAbove}`,
    };
  }
  // Learned the revision of an earlier write: pin it, and later writes must exceed it.
  return {
    ok: true,
    entry: { value: entry.value, modRevision: r, unknownAbove: 0 },
    floor: Math.max(floor, r),
  };
}

function write(floor: number, value: string | null, revision: number | undefined): KeyStep {
  if (revision === undefined) {
    if (value === null) return { ok: true, entry: ABSENT, floor };
    return { ok: true, entry: { value, modRevision: null, unknownAbove: floor }, floor };
  }
  if (revision <= floor) {
    const what = value === null ? "delete" : `write of ${show(value)}`;
    return { ok: false, reason: `${what} got revision ${revision}, not above ${floor} of an earlier write` };
  }
  if (value === null) return { ok: true, entry: ABSENT, floor: revision };
  return { ok: true, entry: { value, modRevision: revision, unknownAbove: 0 }, floor: revision };
}

export function entriesEqual(a: KeyEntry, b: KeyEntry): boolean {
  return a.value === b.value && a.modRevision === b.modRevision && a.unknownAbove === b.unknownAbove;
}

export function hashEntry(e: KeyEntry): number {
  let h = e.value === null ? 0x51ed27 : hashString(e.value);
  h = mix(h ^ (e.modRevision ?? -1));
  return mix(h ^ e.unknownAbove);
}

/** FNV-1a over UTF-16 code units. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** Murmur3's finalizer: spreads small integers over all 32 bits. */
export function mix(x: number): number {
  let h = x | 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

export function show(value: string | null): string {
  return value === null ? "null" : JSON.stringify(value);
}

export function describeEntry(e: KeyEntry): string {
  if (e.value === null) return "absent";
  if (e.modRevision !== null) return `${show(e.value)} (modRevision ${e.modRevision})`;
  // Zero means no revision was ever recorded before the write: nothing worth saying.
  if (e.unknownAbove === 0) return show(e.value);
  return `${show(e.value)} (modRevision unknown, above ${e.unknownAbove})`;
}

/** How the revision floor reads in a state description; empty while no revision is known. */
export function describeFloor(floor: number): string {
  return floor === 0 ? "" : `; next write revision must exceed ${floor}`;
}

export function describeKvOperation(input: KvInput, output: KvOutput | Unknown): string {
  const call =
    input.kind === "put"
      ? `put(${show(input.key)}, ${show(input.value)})`
      : input.kind === "cas"
        ? `cas(${show(input.key)}, ${show(input.expected)} -> ${show(input.value)})`
        : `${input.kind}(${show(input.key)})`;
  return `${call} -> ${describeKvOutput(output)}`;
}

function describeKvOutput(output: KvOutput | Unknown): string {
  if (output === UNKNOWN) return "unknown";
  const rev = (r: number | undefined, label: string): string => (r === undefined ? "" : ` ${label} ${r}`);
  switch (output.kind) {
    case "put":
      return `ok${rev(output.revision, "rev")}`;
    case "get":
      return `${show(output.value)}${rev(output.modRevision, "modRev")}`;
    case "delete":
      return `deleted ${output.deleted}${rev(output.revision, "rev")}`;
    case "cas":
      return `${output.succeeded ? "succeeded" : "failed"}${rev(output.revision, "rev")}`;
    default: {
      const never: never = output;
      throw new Error(`unhandled kv output ${JSON.stringify(never)}`);
    }
  }
}
