/**
 * The whole replicated state as a byte stream, cut into chunks of at most `chunkBytesMax`
 * bytes so a Raft snapshot can carry it to a follower without one giant buffer on the way.
 *
 * Layout: "FMVC", format version, current / compact revision, consistent index; the leases
 * (id, TTL) in id order; the keys in key order, each with its stored records; an end tag; and
 * the CRC-32 of everything before it, little-endian (so the CRC of the whole stream is the
 * IEEE residue 0x2144df1c, which the reader checks without knowing where the stream ends).
 * Lease attachments are not stored: they follow from each key's live record.
 */
import { ByteWriter, ChunkReader } from "./binary.js";
import { bytesToLatin1 } from "./bytes.js";
import { CRC32_INIT, crc32Final, crc32Update } from "./crc32.js";
import { SnapshotCorruptError } from "./errors.js";
import type { KeyHistory, KeyRecord } from "./key-history.js";
import { LEASE_TTL_SEC_MAX } from "./lease-table.js";
import { RevisionLog } from "./revision-log.js";
import { StoreState } from "./state.js";
import { type LeaseId, NO_LEASE } from "./types.js";

const MAGIC = new Uint8Array([0x46, 0x4d, 0x56, 0x43]); // "FMVC"
const FORMAT_VERSION = 1;
const TAG_KEY = 1;
const TAG_END = 2;
/** CRC-32 of any message followed by its own CRC (little-endian). */
const CRC32_RESIDUE = 0x2144df1c;

/**
 * The state at one moment, cheap to take and unaffected by later applies: the revisions, a
 * copy of the leases, and each key's records array with its length then. This works because
 * a history's records array is only ever appended to or replaced, never changed in place
 * (KeyHistory.append and compact), and records are immutable. Taking it costs one small
 * object per key; encoding, the expensive part, can then run later, in pieces.
 */
export interface FrozenState {
  readonly currentRevision: number;
  readonly compactRevision: number;
  readonly consistentIndex: number;
  readonly leases: ReadonlyArray<{ readonly id: LeaseId; readonly ttlSec: number }>;
  readonly keys: ReadonlyArray<FrozenKey>;
}

interface FrozenKey {
  readonly key: Uint8Array;
  readonly records: readonly KeyRecord[];
  readonly count: number;
}

export function freezeState(state: StoreState): FrozenState {
  const keys: FrozenKey[] = [];
  state.index.forEachInOrder((h) => {
    keys.push({ key: h.key, records: h.records, count: h.records.length });
  });
  return {
    currentRevision: state.currentRevision,
    compactRevision: state.compactRevision,
    consistentIndex: state.consistentIndex,
    leases: state.leases.sorted().map((l) => ({ id: l.id, ttlSec: l.ttlSec })),
    keys,
  };
}

/** Streams a frozen state as chunks of at most `chunkBytesMax` bytes; may be drained at any pace. */
export function* writeSnapshot(state: FrozenState, chunkBytesMax: number): Generator<Uint8Array> {
  if (!(chunkBytesMax >= 16)) throw new RangeError(`chunkBytesMax must be at least 16, got ${chunkBytesMax}`);
  const w = new ByteWriter(Math.min(chunkBytesMax * 2, 1 << 20));
  let crc = CRC32_INIT;
  /** How many bytes at the front of `w` the CRC already covers. */
  let covered = 0;
  const extendCrc = (): void => {
    crc = crc32Update(crc, w.view().subarray(covered));
    covered = w.length;
  };
  // Cuts what is written into full chunks (each byte copied once, into its chunk); the tail
  // moves to the front of the writer and waits for more bytes.
  function* flush(final: boolean): Generator<Uint8Array> {
    const view = w.view();
    let at = 0;
    while (view.length - at >= chunkBytesMax || (final && at < view.length)) {
      const end = Math.min(at + chunkBytesMax, view.length);
      yield view.slice(at, end);
      at = end;
    }
    w.dropFront(at);
    covered = Math.max(0, covered - at);
  }
  w.raw(MAGIC);
  w.u8(FORMAT_VERSION);
  w.uvarint(state.currentRevision);
  w.uvarint(state.compactRevision);
  w.uvarint(state.consistentIndex);
  w.uvarint(state.leases.length);
  for (const l of state.leases) {
    w.uvarint(l.id);
    w.uvarint(l.ttlSec);
  }
  for (const k of state.keys) {
    w.u8(TAG_KEY);
    w.bytes(k.key);
    w.uvarint(k.count);
    for (let i = 0; i < k.count; i++) {
      const r = k.records[i]!;
      w.uvarint(r.modRevision);
      w.uvarint(r.sub);
      w.uvarint(r.createRevision);
      w.uvarint(r.version);
      w.uvarint(r.lease);
      w.bytes(r.value);
    }
    if (w.length >= chunkBytesMax) {
      extendCrc();
      yield* flush(false);
    }
  }
  w.u8(TAG_END);
  extendCrc();
  crc = crc32Final(crc);
  w.raw(new Uint8Array([crc & 0xff, (crc >>> 8) & 0xff, (crc >>> 16) & 0xff, crc >>> 24]));
  yield* flush(true);
}

function corrupt(reason: string): SnapshotCorruptError {
  return new SnapshotCorruptError(reason);
}

/** Rebuilds a state from a snapshot stream; throws SnapshotCorruptError on any defect. */
export function readSnapshot(chunks: Iterable<Uint8Array>): StoreState {
  let crc = CRC32_INIT;
  function* checked(): Generator<Uint8Array> {
    for (const c of chunks) {
      crc = crc32Update(crc, c);
      yield c;
    }
  }
  try {
    const r = new ChunkReader(checked(), corrupt);
    for (const b of MAGIC) if (r.u8() !== b) throw corrupt("not a Flotilla MVCC snapshot");
    const version = r.u8();
    if (version !== FORMAT_VERSION) throw corrupt(`unknown format version ${version}`);
    const st = new StoreState();
    st.currentRevision = r.uvarint();
    st.compactRevision = r.uvarint();
    st.consistentIndex = r.uvarint();
    if (st.compactRevision > st.currentRevision) throw corrupt("compact revision above current revision");
    const leaseCount = r.uvarint();
    for (let i = 0; i < leaseCount; i++) {
      const id = r.uvarint() as LeaseId;
      const ttlSec = r.uvarint();
      if (id === NO_LEASE || ttlSec > LEASE_TTL_SEC_MAX || st.leases.has(id))
        throw corrupt(`bad lease ${id}`);
      st.leases.grant(id, ttlSec);
    }
    const logEntries: { record: KeyRecord; history: KeyHistory }[] = [];
    for (;;) {
      const tag = r.u8();
      if (tag === TAG_END) break;
      if (tag !== TAG_KEY) throw corrupt(`unknown tag ${tag}`);
      readKey(r, st, logEntries);
    }
    for (let i = 0; i < 4; i++) r.u8();
    if (!r.atEnd()) throw corrupt("trailing bytes after the end");
    if (crc32Final(crc) !== CRC32_RESIDUE) throw corrupt("checksum mismatch");
    st.log = RevisionLog.fromUnordered(logEntries);
    return st;
  } catch (e) {
    if (e instanceof SnapshotCorruptError) throw e;
    throw new SnapshotCorruptError("unexpected failure", { cause: e });
  }
}

function readKey(
  r: ChunkReader,
  st: StoreState,
  logEntries: { record: KeyRecord; history: KeyHistory }[],
): void {
  const key = r.bytes(Number.MAX_SAFE_INTEGER);
  const k = bytesToLatin1(key);
  if (key.length === 0 || st.index.get(k) !== undefined) throw corrupt("empty or repeated key");
  const h = st.index.getOrCreate(key, k);
  const n = r.uvarint();
  if (n === 0) throw corrupt(`key ${JSON.stringify(k)} has no records`);
  let last = 0;
  for (let i = 0; i < n; i++) {
    const modRevision = r.uvarint();
    const sub = r.uvarint();
    const createRevision = r.uvarint();
    const version = r.uvarint();
    const lease = r.uvarint() as LeaseId;
    const value = r.bytes(Number.MAX_SAFE_INTEGER);
    if (modRevision <= last || modRevision > st.currentRevision) throw corrupt(`bad revision ${modRevision}`);
    last = modRevision;
    const record: KeyRecord = { key: h.key, createRevision, modRevision, version, value, lease, sub };
    h.append(record);
    if (modRevision >= st.compactRevision) logEntries.push({ record, history: h });
  }
  const live = h.live();
  if (live !== undefined && live.lease !== NO_LEASE) {
    if (!st.leases.has(live.lease))
      throw corrupt(`key ${JSON.stringify(k)} attached to missing lease ${live.lease}`);
    st.leases.attach(live.lease, k);
  }
}
