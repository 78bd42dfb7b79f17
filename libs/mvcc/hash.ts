/**
 * A checksum of the key space at a revision, as etcd's HashKV: every stored revision of every
 * key up to `rev` (what compaction kept, and everything after it), plus the compact revision.
 * Members that applied the same log agree on it; a difference means divergence.
 */
import { CRC32_INIT, crc32Final, crc32Update, crc32UpdateU64 } from "./crc32.js";
import type { StoreState } from "./state.js";

export interface KvHash {
  /** CRC-32 (IEEE). */
  readonly hash: number;
  /** The revision the hash covers. */
  readonly hashRevision: number;
  readonly compactRevision: number;
}

/** Hashes the state up to `rev`; the caller checked compact <= rev <= current. */
export function hashKv(state: StoreState, rev: number): KvHash {
  let crc = CRC32_INIT;
  state.index.forEachInOrder((h) => {
    for (const r of h.records) {
      if (r.modRevision > rev) break;
      crc = crc32UpdateU64(crc, r.modRevision);
      crc = crc32UpdateU64(crc, r.sub);
      crc = crc32UpdateU64(crc, r.key.length);
      crc = crc32Update(crc, r.key);
      crc = crc32UpdateU64(crc, r.createRevision);
      crc = crc32UpdateU64(crc, r.version);
      crc = crc32UpdateU64(crc, r.lease);
      crc = crc32UpdateU64(crc, r.value.length);
      crc = crc32Update(crc, r.value);
    }
  });
  crc = crc32UpdateU64(crc, state.compactRevision);
  return { hash: crc32Final(crc), hashRevision: rev, compactRevision: state.compactRevision };
}
