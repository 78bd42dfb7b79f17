/**
 * What a Raft snapshot's data holds: the runtime's member table (id → peer URL) and the
 * state machine's own bytes. The URLs must travel with the snapshot: a member restored from
 * one never sees the conf-change entries (and their contexts) it replaces.
 *
 *   [magic "FLS1"][members JSON length u32 BE][members JSON][state machine bytes...]
 */

const MAGIC = [0x46, 0x4c, 0x53, 0x31]; // "FLS1"
const HEADER_BYTES = 8;

/** A member's id and the URL its peer transport listens on ("host:port"). */
export interface MemberUrl {
  readonly id: number;
  readonly url: string;
}

/** Snapshot data that is not in the FLS1 format. */
export class SnapshotDataError extends Error {
  override readonly name = "SnapshotDataError";
}

/** Wraps the state machine's bytes (its chunks, joined here in one copy) with the member table. */
export function encodeSnapshotData(members: readonly MemberUrl[], state: readonly Uint8Array[]): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(members.map((m) => [m.id, m.url])));
  const stateBytes = state.reduce((n, c) => n + c.byteLength, 0);
  const out = new Uint8Array(HEADER_BYTES + json.byteLength + stateBytes);
  out.set(MAGIC, 0);
  new DataView(out.buffer).setUint32(4, json.byteLength);
  out.set(json, HEADER_BYTES);
  let at = HEADER_BYTES + json.byteLength;
  for (const c of state) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/** Splits snapshot data into the member table and the state machine's bytes (a view). */
export function decodeSnapshotData(data: Uint8Array): { members: MemberUrl[]; state: Uint8Array } {
  if (data.byteLength < HEADER_BYTES || MAGIC.some((b, i) => data[i] !== b))
    throw new SnapshotDataError("snapshot data does not start with the FLS1 header");
  const jsonBytes = new DataView(data.buffer, data.byteOffset, data.byteLength).getUint32(4);
  if (HEADER_BYTES + jsonBytes > data.byteLength)
    throw new SnapshotDataError(`member table of ${jsonBytes} bytes overruns the snapshot data`);
  const json: unknown = JSON.parse(
    new TextDecoder().decode(data.subarray(HEADER_BYTES, HEADER_BYTES + jsonBytes)),
  );
  if (!Array.isArray(json)) throw new SnapshotDataError("member table is not a list");
  const members = json.map((row: unknown): MemberUrl => {
    if (!Array.isArray(row) || typeof row[0] !== "number" || typeof row[1] !== "string")
      throw new SnapshotDataError(`bad member table row ${JSON.stringify(row)}`);
    return { id: row[0], url: row[1] };
  });
  return { members, state: data.subarray(HEADER_BYTES + jsonBytes) };
}
