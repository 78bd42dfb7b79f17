/**
 * The snapshot file format. One CRC-32C over the whole content, stored last, so a file is
 * accepted only if every byte (header, membership and state-machine data) is as written:
 *
 * ```
 *  0  "FLOTSNAP"         8 bytes magic
 *  8  u32 version        1
 * 12  u32 reserved       0
 * 16  u64 index, u64 term
 * 32  u32 voterCount, u32 learnerCount, then each id as u64
 *  .  u64 dataBytes, data
 *  .  u32 crc            CRC-32C of every byte before it
 * ```
 */
import type { NodeId, Snapshot } from "../raft/index.js";
import { ByteReader, ByteWriter, DecodeError, hex16, parseHex16, viewOf } from "./binary.js";
import { crc32c } from "./crc32c.js";
import { SnapshotCorruptError } from "./errors.js";

const MAGIC = new TextEncoder().encode("FLOTSNAP");
const FORMAT_VERSION = 1;
const FIXED_BYTES = 8 + 4 + 4 + 16 + 8 + 8 + 4;
/** Membership lists are small; this bounds a corrupt count before it allocates. */
const MEMBERS_MAX = 10_000;

export const SNAPSHOT_SUFFIX = ".snap";

/** A snapshot file as named on disk: `<index>-<term>.snap`, 16 hex digits each. */
export interface SnapshotFileName {
  readonly name: string;
  readonly index: number;
  readonly term: number;
}

/** `<index>-<term>.snap`, so names sort by index. */
export function snapshotFileName(index: number, term: number): string {
  return `${hex16(index)}-${hex16(term)}${SNAPSHOT_SUFFIX}`;
}

/** The inverse of snapshotFileName; undefined for any other name. */
export function parseSnapshotFileName(name: string): SnapshotFileName | undefined {
  const m = /^([0-9a-f]{16})-([0-9a-f]{16})\.snap$/.exec(name);
  if (!m) return undefined;
  const index = parseHex16(m[1]!);
  const term = parseHex16(m[2]!);
  if (index === undefined || term === undefined) return undefined;
  return { name, index, term };
}

/**
 * The file content as three pieces written one after another: the header (through the data
 * length), the data itself (not copied: snapshots run to megabytes), and the CRC.
 */
export function encodeSnapshotFilePieces(s: Snapshot): [Uint8Array, Uint8Array, Uint8Array] {
  const { voters, learners } = s.metadata.confState;
  const header = new Uint8Array(FIXED_BYTES - 4 + 8 * (voters.length + learners.length));
  const w = new ByteWriter(header, 0);
  w.raw(MAGIC);
  w.u32(FORMAT_VERSION);
  w.u32(0);
  w.u64(s.metadata.index);
  w.u64(s.metadata.term);
  w.u32(voters.length);
  w.u32(learners.length);
  for (const id of voters) w.u64(id);
  for (const id of learners) w.u64(id);
  w.u64(s.data.byteLength);
  const trailer = new Uint8Array(4);
  viewOf(trailer).setUint32(0, crc32c(s.data, 0, s.data.byteLength, crc32c(header)), true);
  return [header, s.data, trailer];
}

/** Decodes and verifies a snapshot file; `expected` comes from its name and must match its header. */
export function decodeSnapshotFile(bytes: Uint8Array, file: string, expected: SnapshotFileName): Snapshot {
  if (bytes.byteLength < FIXED_BYTES) {
    throw new SnapshotCorruptError(file, `only ${bytes.byteLength} bytes, shorter than any snapshot`);
  }
  const crcAt = bytes.byteLength - 4;
  const stored = viewOf(bytes).getUint32(crcAt, true);
  const computed = crc32c(bytes, 0, crcAt);
  if (stored !== computed) {
    throw new SnapshotCorruptError(
      file,
      `CRC mismatch (stored ${stored.toString(16)}, computed ${computed.toString(16)})`,
    );
  }
  try {
    const r = new ByteReader(bytes, 0, crcAt);
    for (const b of MAGIC) if (r.u8() !== b) throw new DecodeError("bad magic");
    const version = r.u32();
    if (version !== FORMAT_VERSION) throw new DecodeError(`unsupported version ${version}`);
    r.u32();
    const index = r.u64();
    const term = r.u64();
    const voterCount = r.u32();
    const learnerCount = r.u32();
    if (voterCount + learnerCount > MEMBERS_MAX)
      throw new DecodeError(`${voterCount + learnerCount} members`);
    const voters: NodeId[] = [];
    const learners: NodeId[] = [];
    for (let i = 0; i < voterCount; i++) voters.push(r.u64() as NodeId);
    for (let i = 0; i < learnerCount; i++) learners.push(r.u64() as NodeId);
    const data = r.bytesCopy(r.u64());
    r.finish();
    if (index !== expected.index || term !== expected.term) {
      throw new DecodeError(
        `header says index ${index} term ${term}, the name says ${expected.index}/${expected.term}`,
      );
    }
    return { metadata: { index, term, confState: { voters, learners } }, data };
  } catch (err) {
    if (err instanceof DecodeError) throw new SnapshotCorruptError(file, err.message, { cause: err });
    throw err;
  }
}
