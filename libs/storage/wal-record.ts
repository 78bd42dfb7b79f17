/**
 * Record framing of a WAL segment. Every record is a 24-byte header and a payload:
 *
 * ```
 *  0  u32 payloadBytes
 *  4  u8  type            1 segment header, 2 batch, 3 snapshot marker
 *  5  u8  flags           bit 0: written without fdatasync (mustSync false or --fsync=off)
 *  6  u16 reserved, 0
 *  8  u32 segmentSeq      the sequence number of the file it lives in
 * 12  u32 offsetBytes     its own byte offset in that file
 * 16  u32 payloadCrc      CRC-32C of the payload
 * 20  u32 headerCrc       CRC-32C of bytes 0..20
 * ```
 *
 * Why not etcd's CRC chaining: a chain ties each record to its predecessor, so after one bad
 * record nothing further can be verified, and recovery cannot tell a torn tail from a bad
 * record in the middle. Here each record is verifiable on its own, and binding it to its
 * file and offset still rejects stale or misplaced bytes: a record copied anywhere else, or
 * record-like bytes inside an entry's data, fail the check. The header has its own CRC so
 * that a length can be trusted before the payload is: a record whose trusted length runs past
 * the end of the file was being written when the process died.
 */

import { isAllZero, viewOf } from "./binary.js";
import { crc32c } from "./crc32c.js";

export const RECORD_HEADER_BYTES = 24;

export const RECORD_TYPE_SEGMENT_HEADER = 1;
export const RECORD_TYPE_BATCH = 2;
export const RECORD_TYPE_SNAPSHOT_MARKER = 3;
export type RecordType =
  | typeof RECORD_TYPE_SEGMENT_HEADER
  | typeof RECORD_TYPE_BATCH
  | typeof RECORD_TYPE_SNAPSHOT_MARKER;

/** Set on records whose save did not fdatasync: losing them in a power failure breaks no promise. */
export const RECORD_FLAG_UNSYNCED = 1;

/** Offsets are u32: segments are bounded well below 4 GiB (see WalOptions). */
export const RECORD_OFFSET_MAX = 0xffff_ffff;

/** A buffer with room for the header, the payload to be filled at [RECORD_HEADER_BYTES, end). */
export function allocRecord(payloadBytes: number): Uint8Array {
  return new Uint8Array(RECORD_HEADER_BYTES + payloadBytes);
}

/**
 * Fills in the header of a record whose payload is already in place. Called at write time,
 * when the segment and offset are known.
 */
export function sealRecord(
  record: Uint8Array,
  type: RecordType,
  flags: number,
  segmentSeq: number,
  offsetBytes: number,
): void {
  if (offsetBytes > RECORD_OFFSET_MAX || segmentSeq > RECORD_OFFSET_MAX) {
    throw new RangeError(`record position ${segmentSeq}:${offsetBytes} does not fit the u32 header fields`);
  }
  const view = viewOf(record);
  view.setUint32(0, record.byteLength - RECORD_HEADER_BYTES, true);
  view.setUint8(4, type);
  view.setUint8(5, flags);
  view.setUint16(6, 0, true);
  view.setUint32(8, segmentSeq, true);
  view.setUint32(12, offsetBytes, true);
  view.setUint32(16, crc32c(record, RECORD_HEADER_BYTES, record.byteLength), true);
  view.setUint32(20, crc32c(record, 0, 20), true);
}

/** The outcome of reading the bytes at one offset: a record, or why there is none. */
export type RecordRead =
  | {
      readonly kind: "ok";
      readonly type: RecordType;
      readonly flags: number;
      readonly payloadStart: number;
      /** Offset just past this record: where the next one starts. */
      readonly end: number;
    }
  /** Fewer than a header's bytes remain; `zero` when all of them are zero. */
  | { readonly kind: "shortHeader"; readonly zero: boolean }
  | { readonly kind: "badHeader"; readonly reason: string }
  /** The header is intact but its payload runs past the end of the file. */
  | { readonly kind: "shortPayload"; readonly claimedEnd: number }
  | { readonly kind: "badPayload"; readonly reason: string; readonly end: number };

/** Reads the record that should start at `offsetBytes` of segment `segmentSeq`. */
export function readRecordAt(
  bytes: Uint8Array,
  offsetBytes: number,
  segmentSeq: number,
  recordBytesMax: number,
): RecordRead {
  const size = bytes.byteLength;
  if (size - offsetBytes < RECORD_HEADER_BYTES) {
    return { kind: "shortHeader", zero: isAllZero(bytes, offsetBytes, size) };
  }
  const view = viewOf(bytes);
  const headerCrc = view.getUint32(offsetBytes + 20, true);
  const actualHeaderCrc = crc32c(bytes, offsetBytes, offsetBytes + 20);
  if (headerCrc !== actualHeaderCrc) {
    return {
      kind: "badHeader",
      reason: `header CRC mismatch (stored ${hex(headerCrc)}, computed ${hex(actualHeaderCrc)})`,
    };
  }
  const payloadBytes = view.getUint32(offsetBytes, true);
  const type = view.getUint8(offsetBytes + 4);
  const flags = view.getUint8(offsetBytes + 5);
  const storedSeq = view.getUint32(offsetBytes + 8, true);
  const storedOffset = view.getUint32(offsetBytes + 12, true);
  if (storedSeq !== segmentSeq || storedOffset !== offsetBytes) {
    return {
      kind: "badHeader",
      reason: `record claims to belong at segment ${storedSeq} offset ${storedOffset} (stale or misplaced bytes)`,
    };
  }
  if (
    !isRecordType(type) ||
    view.getUint16(offsetBytes + 6, true) !== 0 ||
    (flags & ~RECORD_FLAG_UNSYNCED) !== 0
  ) {
    return {
      kind: "badHeader",
      reason: `unknown record type ${type} or flags ${flags} (written by a newer version?)`,
    };
  }
  if (RECORD_HEADER_BYTES + payloadBytes > recordBytesMax) {
    return {
      kind: "badHeader",
      reason: `record of ${payloadBytes} bytes exceeds the bound of ${recordBytesMax}`,
    };
  }
  const payloadStart = offsetBytes + RECORD_HEADER_BYTES;
  const end = payloadStart + payloadBytes;
  if (end > size) return { kind: "shortPayload", claimedEnd: end };
  const payloadCrc = view.getUint32(offsetBytes + 16, true);
  const actualPayloadCrc = crc32c(bytes, payloadStart, end);
  if (payloadCrc !== actualPayloadCrc) {
    return {
      kind: "badPayload",
      reason: `payload CRC mismatch (stored ${hex(payloadCrc)}, computed ${hex(actualPayloadCrc)})`,
      end,
    };
  }
  return { kind: "ok", type, flags, payloadStart, end };
}

/**
 * Looks past a damaged record for any intact record at its own offset. Returns the first one
 * that was written with fdatasync (its presence proves everything before it had been made
 * durable, so the damage is not a torn write), and whether unsynced ones were seen.
 */
export function findIntactRecordAfter(
  bytes: Uint8Array,
  afterBytes: number,
  segmentSeq: number,
  recordBytesMax: number,
): { syncedAt: number | undefined; unsyncedSeen: boolean } {
  const view = viewOf(bytes);
  let unsyncedSeen = false;
  for (let q = afterBytes + 1; q + RECORD_HEADER_BYTES <= bytes.byteLength; q++) {
    // Cheap prefilter: a record names its own offset and segment; almost no other bytes do.
    if (view.getUint32(q + 12, true) !== q || view.getUint32(q + 8, true) !== segmentSeq) continue;
    const r = readRecordAt(bytes, q, segmentSeq, recordBytesMax);
    if (r.kind !== "ok") continue;
    if ((r.flags & RECORD_FLAG_UNSYNCED) === 0) return { syncedAt: q, unsyncedSeen };
    unsyncedSeen = true;
    q = r.end - 1;
  }
  return { syncedAt: undefined, unsyncedSeen };
}

function isRecordType(t: number): t is RecordType {
  return t === RECORD_TYPE_SEGMENT_HEADER || t === RECORD_TYPE_BATCH || t === RECORD_TYPE_SNAPSHOT_MARKER;
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, "0")}`;
}
