/**
 * The proposal envelope: every entry (and every conf-change context) this runtime proposes
 * starts with a tag naming the member that proposed it, so that member can resolve the
 * caller's promise when the entry is applied, even though the leader (another process)
 * chose its index.
 *
 *   [version u8 = 1][member u64 BE][incarnation u32 BE][seq u64 BE][payload...]   (21 + n bytes)
 *
 * Why an incarnation: `seq` restarts at 1 when the process restarts, while entries proposed
 * by the previous incarnation may still be in the log, waiting to be applied. A random 32-bit
 * incarnation per start keeps an old entry from resolving a new caller's promise.
 * Member 0 means "untagged" (the founding membership entries written by bootstrap).
 */

export const ENVELOPE_VERSION = 1;
/** Bytes before the payload: version, member, incarnation, seq. */
export const ENVELOPE_HEADER_BYTES = 21;

/** Who proposed an entry. `member` 0: nobody waits for it. */
export interface ProposalTag {
  readonly member: number;
  readonly incarnation: number;
  readonly seq: number;
}

/** The tag of entries nobody waits for. */
export const UNTAGGED: ProposalTag = { member: 0, incarnation: 0, seq: 0 };

/** An envelope that does not parse: a format mismatch between members, never a network error. */
export class EnvelopeError extends Error {
  override readonly name = "EnvelopeError";
}

const TWO_32 = 2 ** 32;

/** Prefixes `payload` with the tag (one copy of the payload). */
export function encodeEnvelope(tag: ProposalTag, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(ENVELOPE_HEADER_BYTES + payload.byteLength);
  const view = new DataView(out.buffer);
  view.setUint8(0, ENVELOPE_VERSION);
  writeU64(view, 1, tag.member);
  view.setUint32(9, tag.incarnation);
  writeU64(view, 13, tag.seq);
  out.set(payload, ENVELOPE_HEADER_BYTES);
  return out;
}

/** Splits an envelope into its tag and payload; the payload is a view, not a copy. */
export function decodeEnvelope(data: Uint8Array): { tag: ProposalTag; payload: Uint8Array } {
  if (data.byteLength < ENVELOPE_HEADER_BYTES)
    throw new EnvelopeError(`proposal envelope needs ${ENVELOPE_HEADER_BYTES} bytes, got ${data.byteLength}`);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const version = view.getUint8(0);
  if (version !== ENVELOPE_VERSION) throw new EnvelopeError(`unknown proposal envelope version ${version}`);
  const tag = { member: readU64(view, 1), incarnation: view.getUint32(9), seq: readU64(view, 13) };
  return { tag, payload: data.subarray(ENVELOPE_HEADER_BYTES) };
}

function writeU64(view: DataView, offset: number, n: number): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`not a u64 safe integer: ${n}`);
  view.setUint32(offset, Math.floor(n / TWO_32));
  view.setUint32(offset + 4, n % TWO_32);
}

function readU64(view: DataView, offset: number): number {
  const n = view.getUint32(offset) * TWO_32 + view.getUint32(offset + 4);
  if (!Number.isSafeInteger(n)) throw new EnvelopeError(`u64 at byte ${offset} exceeds 2^53 - 1`);
  return n;
}
