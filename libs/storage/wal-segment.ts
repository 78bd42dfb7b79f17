/**
 * Segment files: names, listing, creation, and the scan that tells a torn tail from
 * corruption.
 *
 * A segment is named `<seq>-<firstIndex>.wal` (16 hex digits each, like etcd) and is created
 * whole: its header record is written to a temporary name, fsynced, renamed into place and
 * the directory fsynced. A segment therefore either exists with an intact header or not at
 * all, and since the previous segment is fsynced before the next is created, only the LAST
 * segment can have been in the middle of a write when the process died.
 *
 * Deciding torn vs corrupt. A save is one record written with one write() and then one
 * fdatasync; the next save starts only after that returns. So a crash can damage only the
 * record that was being written, and nothing intact can follow it in the file. Damage at
 * offset X of the last segment is therefore a torn tail when everything after X is
 * unverifiable (garbage, zeros from unwritten or preallocated space, a header whose length
 * runs past the end of file); it is corruption when an intact fsynced record sits after X,
 * because that record was written after X had been made durable. Intact records written
 * without fsync may follow a torn record (unsynced writes reach the disk in any order) and
 * are dropped with it: they were never promised to be durable.
 */
import type { Index } from "../raft/index.js";
import { DecodeError, hex16, isAllZero, parseHex16 } from "./binary.js";
import { WalCorruptError } from "./errors.js";
import type { StorageFile, StorageFs } from "./fs.js";
import { decodePayload, encodeSegmentHeader, type SegmentHeader, type WalRecord } from "./wal-payload.js";
import {
  findIntactRecordAfter,
  RECORD_TYPE_SEGMENT_HEADER,
  type RecordRead,
  readRecordAt,
  sealRecord,
} from "./wal-record.js";

export const SEGMENT_SUFFIX = ".wal";
export const TEMP_SUFFIX = ".tmp";

/** A segment file as named on disk. */
export interface SegmentName {
  readonly seq: number;
  readonly firstIndex: Index;
  readonly name: string;
}

/** The damaged end of the last segment that recovery cut off. */
export interface TornTail {
  readonly file: string;
  /** The file was truncated to this length: the end of the last intact record. */
  readonly offsetBytes: number;
  readonly droppedBytes: number;
  readonly reason: string;
}

export interface ScannedSegment {
  readonly segment: SegmentName;
  readonly records: readonly WalRecord[];
  /** The end of the last intact record: where the next write goes. */
  readonly endBytes: number;
  readonly tornTail: TornTail | undefined;
}

/** `<seq>-<firstIndex>.wal`, 16 hex digits each, so names sort by sequence. */
export function segmentFileName(seq: number, firstIndex: Index): string {
  return `${hex16(seq)}-${hex16(firstIndex)}${SEGMENT_SUFFIX}`;
}

/** The inverse of segmentFileName; undefined for any other name. */
export function parseSegmentFileName(name: string): SegmentName | undefined {
  const m = /^([0-9a-f]{16})-([0-9a-f]{16})\.wal$/.exec(name);
  if (!m) return undefined;
  const seq = parseHex16(m[1]!);
  const firstIndex = parseHex16(m[2]!);
  if (seq === undefined || firstIndex === undefined) return undefined;
  return { seq, firstIndex, name };
}

/** Segments in `dir` by ascending sequence, and leftover temporary files of interrupted creations. */
export async function listSegments(
  fs: StorageFs,
  dir: string,
): Promise<{ segments: SegmentName[]; temporaries: string[] }> {
  const names = await fs.list(dir);
  const segments = names.flatMap((n) => parseSegmentFileName(n) ?? []).sort((a, b) => a.seq - b.seq);
  const temporaries = names.filter((n) => n.endsWith(SEGMENT_SUFFIX + TEMP_SUFFIX));
  return { segments, temporaries };
}

/**
 * Creates a segment atomically (temporary file, fdatasync, rename, directory fsync) and
 * returns it open for writing after its header. Always synced, even with `fsync: false`:
 * it is rare, and it keeps every non-last segment whole.
 */
export async function createSegment(
  fs: StorageFs,
  dir: string,
  header: SegmentHeader,
): Promise<{ file: StorageFile; name: string; sizeBytes: number }> {
  const name = segmentFileName(header.seq, header.firstIndex);
  const record = encodeSegmentHeader(header);
  sealRecord(record, RECORD_TYPE_SEGMENT_HEADER, 0, header.seq, 0);
  const temp = `${dir}/${name}${TEMP_SUFFIX}`;
  const tempFile = await fs.open(temp, "create");
  try {
    await tempFile.write(record, 0);
    await tempFile.datasync();
  } finally {
    await tempFile.close();
  }
  await fs.rename(temp, `${dir}/${name}`);
  await fs.syncDir(dir);
  return { file: await fs.open(`${dir}/${name}`, "existing"), name, sizeBytes: record.byteLength };
}

/**
 * Reads every record of one segment. Throws WalCorruptError for damage a crash cannot
 * explain; returns the torn tail (not yet truncated) when one can.
 */
export function scanSegment(
  bytes: Uint8Array,
  segment: SegmentName,
  path: string,
  isLast: boolean,
  recordBytesMax: number,
): ScannedSegment {
  const records: WalRecord[] = [];
  let pos = 0;
  while (pos < bytes.byteLength) {
    const r = readRecordAt(bytes, pos, segment.seq, recordBytesMax);
    if (r.kind === "ok") {
      records.push(decodeAt(bytes, r, pos, segment, path));
      pos = r.end;
      continue;
    }
    const damage = describeDamage(r, pos, bytes.byteLength);
    if (pos === 0) {
      throw new WalCorruptError(
        path,
        0,
        `segment header unreadable (${damage}); segments are created whole by rename`,
      );
    }
    if (!isLast) {
      throw new WalCorruptError(
        path,
        pos,
        `${damage}, in a segment that was fsynced before the next one was created`,
      );
    }
    const tornTail = (reason: string): ScannedSegment => ({
      segment,
      records,
      endBytes: pos,
      tornTail: { file: path, offsetBytes: pos, droppedBytes: bytes.byteLength - pos, reason },
    });
    if (isAllZero(bytes, pos, bytes.byteLength))
      return tornTail("zero-filled tail (space allocated, never written)");
    const after = findIntactRecordAfter(bytes, pos, segment.seq, recordBytesMax);
    if (after.syncedAt !== undefined) {
      throw new WalCorruptError(
        path,
        pos,
        `${damage}, yet an intact fsynced record follows at offset ${after.syncedAt}: it was written after this ` +
          "one was durable, so this is damage to the middle of the log, not a torn write",
      );
    }
    return tornTail(after.unsyncedSeen ? `${damage}; intact records after it were never fsynced` : damage);
  }
  return { segment, records, endBytes: pos, tornTail: undefined };
}

function decodeAt(
  bytes: Uint8Array,
  r: Extract<RecordRead, { kind: "ok" }>,
  pos: number,
  segment: SegmentName,
  path: string,
): WalRecord {
  let record: WalRecord;
  try {
    record = decodePayload(r.type, bytes, r.payloadStart, r.end);
  } catch (err) {
    if (!(err instanceof DecodeError)) throw err;
    throw new WalCorruptError(path, pos, `record passes its CRC but does not decode: ${err.message}`, {
      cause: err,
    });
  }
  const isHeader = record.kind === "segmentHeader";
  if (isHeader !== (pos === 0)) {
    throw new WalCorruptError(
      path,
      pos,
      pos === 0 ? "segment does not start with a header" : "segment header in mid-file",
    );
  }
  if (
    record.kind === "segmentHeader" &&
    (record.header.firstIndex !== segment.firstIndex || record.header.seq !== segment.seq)
  ) {
    throw new WalCorruptError(
      path,
      0,
      `header says segment ${record.header.seq} first index ${record.header.firstIndex}, the file name says ` +
        `${segment.seq} and ${segment.firstIndex} (renamed file?)`,
    );
  }
  return record;
}

function describeDamage(r: Exclude<RecordRead, { kind: "ok" }>, pos: number, sizeBytes: number): string {
  switch (r.kind) {
    case "shortHeader":
      return `partial record header (${sizeBytes - pos} of 24 bytes)`;
    case "badHeader":
      return r.reason;
    case "shortPayload":
      return `record of ${r.claimedEnd - pos} bytes cut short by the end of file after ${sizeBytes - pos}`;
    case "badPayload":
      return r.reason;
  }
}
