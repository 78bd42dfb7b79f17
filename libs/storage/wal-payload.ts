/**
 * Payloads of the three WAL record types. A save is one batch record (optional hard state
 * plus a run of entries) so that a save is exactly one write: a crash can then tear at most
 * the last record, which is what makes a torn tail tell-apart from corruption (see
 * wal-scan.ts). Layouts, little-endian, u64 fields hold safe integers:
 *
 * ```
 * segment header: u32 magic "FWAL", u32 version, u64 seq, u64 firstIndex,
 *                 hard state (u64 term, u64 vote, u64 commit), newest snapshot (u64 index, u64 term)
 * batch:          u8 flags (bit 0: has hard state), [hard state], u32 count, [u64 firstIndex,
 *                 count × (u64 term, u8 type, u32 dataBytes, data)]
 * snapshot mark:  u64 index, u64 term, u8 installed
 * ```
 */
import type { Entry, EntryType, HardState, Index, NodeId, Term } from "../raft/index.js";
import { ByteReader, ByteWriter, DecodeError } from "./binary.js";
import { WalInvalidSaveError } from "./errors.js";
import {
  allocRecord,
  RECORD_HEADER_BYTES,
  RECORD_TYPE_BATCH,
  RECORD_TYPE_SEGMENT_HEADER,
  RECORD_TYPE_SNAPSHOT_MARKER,
  type RecordType,
} from "./wal-record.js";

/** "FWAL" read as a little-endian u32. */
const SEGMENT_MAGIC = 0x4c415746;
const FORMAT_VERSION = 1;
const BATCH_FLAG_HARD_STATE = 1;
const HARD_STATE_BYTES = 24;
const ENTRY_OVERHEAD_BYTES = 13;

/** Where a snapshot puts the start of the log. */
export interface SnapshotPoint {
  readonly index: Index;
  readonly term: Term;
}

/**
 * A snapshot became durable. `installed` means the log was replaced by one received from the
 * leader, so every entry written before the marker is void; otherwise the snapshot was taken
 * locally and the entries after it still stand.
 */
export interface SnapshotMarker extends SnapshotPoint {
  readonly installed: boolean;
}

/** What a segment starts with: enough state that older segments can be deleted. */
export interface SegmentHeader {
  readonly seq: number;
  /** The log's last index + 1 when the segment was cut; every later write goes here. */
  readonly firstIndex: Index;
  readonly hardState: HardState;
  readonly newestSnapshot: SnapshotPoint;
}

export type WalRecord =
  | { readonly kind: "segmentHeader"; readonly header: SegmentHeader }
  | { readonly kind: "batch"; readonly hardState: HardState | undefined; readonly entries: readonly Entry[] }
  | { readonly kind: "snapshotMarker"; readonly marker: SnapshotMarker };

/** A complete segment-header record (header room included) ready to be sealed. */
export function encodeSegmentHeader(h: SegmentHeader): Uint8Array {
  const record = allocRecord(64);
  const w = new ByteWriter(record, RECORD_HEADER_BYTES);
  w.u32(SEGMENT_MAGIC);
  w.u32(FORMAT_VERSION);
  w.u64(h.seq);
  w.u64(h.firstIndex);
  writeHardState(w, h.hardState);
  w.u64(h.newestSnapshot.index);
  w.u64(h.newestSnapshot.term);
  return record;
}

/** A complete snapshot-marker record ready to be sealed. */
export function encodeSnapshotMarker(m: SnapshotMarker): Uint8Array {
  const record = allocRecord(17);
  const w = new ByteWriter(record, RECORD_HEADER_BYTES);
  w.u64(m.index);
  w.u64(m.term);
  w.u8(m.installed ? 1 : 0);
  return record;
}

/**
 * A complete batch record ready to be sealed. Entries must be a contiguous run (Raft's Ready
 * always is); anything else is refused before the disk is touched.
 */
export function encodeBatch(hardState: HardState | undefined, entries: readonly Entry[]): Uint8Array {
  let payloadBytes = 1 + (hardState ? HARD_STATE_BYTES : 0) + 4 + (entries.length > 0 ? 8 : 0);
  const first = entries[0]?.index ?? 0;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    if (e.index !== first + i || !Number.isSafeInteger(e.index) || e.index < 1) {
      throw new WalInvalidSaveError(
        `entries must be a contiguous run of positive indexes: entry ${i} has index ${e.index}, expected ${first + i}`,
      );
    }
    if (!Number.isSafeInteger(e.term) || e.term < 0)
      throw new WalInvalidSaveError(`entry ${e.index} has term ${e.term}`);
    payloadBytes += ENTRY_OVERHEAD_BYTES + e.data.byteLength;
  }
  if (hardState) validateHardState(hardState);
  const record = allocRecord(payloadBytes);
  const w = new ByteWriter(record, RECORD_HEADER_BYTES);
  w.u8(hardState ? BATCH_FLAG_HARD_STATE : 0);
  if (hardState) writeHardState(w, hardState);
  w.u32(entries.length);
  if (entries.length > 0) w.u64(first);
  for (const e of entries) {
    w.u64(e.term);
    w.u8(e.type === "confChange" ? 1 : 0);
    w.u32(e.data.byteLength);
    w.raw(e.data);
  }
  return record;
}

/** Decodes a payload whose CRC already checked out; a DecodeError here means a format mismatch. */
export function decodePayload(type: RecordType, bytes: Uint8Array, start: number, end: number): WalRecord {
  const r = new ByteReader(bytes, start, end);
  let record: WalRecord;
  switch (type) {
    case RECORD_TYPE_SEGMENT_HEADER: {
      const magic = r.u32();
      const version = r.u32();
      if (magic !== SEGMENT_MAGIC) throw new DecodeError(`bad segment magic 0x${magic.toString(16)}`);
      if (version !== FORMAT_VERSION) throw new DecodeError(`unsupported WAL format version ${version}`);
      const seq = r.u64();
      const firstIndex = r.u64();
      const hardState = readHardState(r);
      const newestSnapshot = { index: r.u64(), term: r.u64() };
      record = { kind: "segmentHeader", header: { seq, firstIndex, hardState, newestSnapshot } };
      break;
    }
    case RECORD_TYPE_BATCH: {
      const flags = r.u8();
      if ((flags & ~BATCH_FLAG_HARD_STATE) !== 0) throw new DecodeError(`unknown batch flags ${flags}`);
      const hardState = flags & BATCH_FLAG_HARD_STATE ? readHardState(r) : undefined;
      const count = r.u32();
      // Each entry takes at least its overhead: this bounds `count` by the payload size.
      if (count * ENTRY_OVERHEAD_BYTES > r.remainingBytes)
        throw new DecodeError(`entry count ${count} is impossible`);
      const entries: Entry[] = [];
      const first = count > 0 ? r.u64() : 0;
      for (let i = 0; i < count; i++) {
        const term = r.u64();
        const typeCode = r.u8();
        if (typeCode > 1) throw new DecodeError(`unknown entry type ${typeCode}`);
        const type: EntryType = typeCode === 1 ? "confChange" : "normal";
        entries.push({ index: first + i, term, type, data: r.bytesCopy(r.u32()) });
      }
      record = { kind: "batch", hardState, entries };
      break;
    }
    case RECORD_TYPE_SNAPSHOT_MARKER: {
      const index = r.u64();
      const term = r.u64();
      const installed = r.u8();
      if (installed > 1) throw new DecodeError(`bad snapshot marker flag ${installed}`);
      record = { kind: "snapshotMarker", marker: { index, term, installed: installed === 1 } };
      break;
    }
  }
  r.finish();
  return record;
}

function validateHardState(hs: HardState): void {
  for (const [name, v] of [
    ["term", hs.term],
    ["vote", hs.vote],
    ["commit", hs.commit],
  ] as const) {
    if (!Number.isSafeInteger(v) || v < 0) throw new WalInvalidSaveError(`hard state ${name} is ${v}`);
  }
}

function writeHardState(w: ByteWriter, hs: HardState): void {
  w.u64(hs.term);
  w.u64(hs.vote);
  w.u64(hs.commit);
}

function readHardState(r: ByteReader): HardState {
  return { term: r.u64(), vote: r.u64() as NodeId, commit: r.u64() };
}
