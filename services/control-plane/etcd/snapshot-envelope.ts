/**
 * The file layout of Maintenance.Snapshot. etcd streams its bolt database followed by the
 * SHA-256 of it, and etcd's clients (clientv3 3.5+, so `etcdctl snapshot save`) refuse a
 * stream whose size is not 32 more than a multiple of 512 ("sha256 checksum not found"),
 * since bolt files are whole pages. Our store snapshot has no such size, so it travels as:
 *
 *   data (the MvccStore snapshot bytes) | zero padding | data length (u64 LE) | SHA-256
 *
 * where the padding makes data + padding + length a multiple of 512 and the SHA-256 covers
 * everything before it. `unwrapSnapshotFile` reverses it for a restore.
 */
import { createHash } from "node:crypto";

export const SNAPSHOT_ALIGN_BYTES = 512;
export const SHA256_BYTES = 32;
const LENGTH_BYTES = 8;

/** Total envelope size for `dataBytes` of snapshot: ≡ 32 (mod 512), as etcd's clients require. */
export function envelopeBytes(dataBytes: number): number {
  return paddedBytes(dataBytes) + SHA256_BYTES;
}

function paddedBytes(dataBytes: number): number {
  return Math.ceil((dataBytes + LENGTH_BYTES) / SNAPSHOT_ALIGN_BYTES) * SNAPSHOT_ALIGN_BYTES;
}

/** The bytes that follow `dataBytes` of data and precede the SHA-256: padding and the length. */
export function envelopeTrailer(dataBytes: number): Uint8Array {
  const trailer = Buffer.alloc(paddedBytes(dataBytes) - dataBytes);
  trailer.writeBigUInt64LE(BigInt(dataBytes), trailer.length - LENGTH_BYTES);
  return trailer;
}

/** A snapshot file is not one this server wrote. */
export class SnapshotFileError extends Error {
  override readonly name = "SnapshotFileError";
}

/** The store snapshot inside a saved snapshot file, after checking its size, hash and length. */
export function unwrapSnapshotFile(file: Uint8Array): Uint8Array {
  const n = file.length;
  if (n < SNAPSHOT_ALIGN_BYTES + SHA256_BYTES || n % SNAPSHOT_ALIGN_BYTES !== SHA256_BYTES)
    throw new SnapshotFileError(`size ${n} is not a snapshot file size (512·k + 32)`);
  const body = file.subarray(0, n - SHA256_BYTES);
  const digest = createHash("sha256").update(body).digest();
  if (!digest.equals(file.subarray(n - SHA256_BYTES)))
    throw new SnapshotFileError("SHA-256 mismatch: the file is corrupt or truncated");
  const dataBytes = Buffer.from(body.buffer, body.byteOffset, body.length).readBigUInt64LE(
    body.length - LENGTH_BYTES,
  );
  if (dataBytes > BigInt(body.length - LENGTH_BYTES) || paddedBytes(Number(dataBytes)) !== body.length)
    throw new SnapshotFileError(`recorded data length ${dataBytes} does not fit the file`);
  return body.subarray(0, Number(dataBytes));
}
