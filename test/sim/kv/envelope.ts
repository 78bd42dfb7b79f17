import type { Command } from "../../../libs/mvcc/index.js";
import { encodeCommand } from "../../../libs/mvcc/index.js";
import { CLIENT_PREFIX } from "../cluster.js";

/**
 * A client command as it travels in a Raft entry: who asked (client id) and which request it
 * is (unique per run), so that the node that proposed it can answer its client when the entry
 * is applied there. Layout: the ASCII header `p:<client>.<request>|` (the cluster's client
 * prefix, so the durability checker counts the entry as a client proposal) followed by the
 * store's binary command encoding.
 */
export interface ClientEnvelope {
  readonly clientId: number;
  readonly requestId: number;
  /** The encoded command (a view into the entry's data). */
  readonly command: Uint8Array;
}

const encoder = new TextEncoder();
const SEPARATOR = 0x7c; // "|"
const DOT = 0x2e;
/** Header bytes scanned at most: two safe integers and the punctuation. */
const HEADER_BYTES_MAX = 48;

export function encodeEnvelope(clientId: number, requestId: number, command: Command): Uint8Array {
  const head = encoder.encode(`${CLIENT_PREFIX}${clientId}.${requestId}|`);
  const body = encodeCommand(command);
  const out = new Uint8Array(head.length + body.length);
  out.set(head);
  out.set(body, head.length);
  return out;
}

/** The envelope in an entry's data, or undefined when the entry carries no client command. */
export function decodeEnvelope(data: Uint8Array): ClientEnvelope | undefined {
  if (data.length < 2 || data[0] !== CLIENT_PREFIX.charCodeAt(0) || data[1] !== CLIENT_PREFIX.charCodeAt(1))
    return undefined;
  let clientId = 0;
  let requestId = 0;
  let sawDot = false;
  let digits = 0;
  const end = Math.min(data.length, HEADER_BYTES_MAX);
  for (let i = 2; i < end; i++) {
    const c = data[i]!;
    if (c === SEPARATOR) {
      if (!sawDot || digits === 0) return undefined;
      return { clientId, requestId, command: data.subarray(i + 1) };
    }
    if (c === DOT) {
      if (sawDot || digits === 0) return undefined;
      sawDot = true;
      digits = 0;
      continue;
    }
    if (c < 0x30 || c > 0x39) return undefined;
    digits++;
    if (sawDot) requestId = requestId * 10 + (c - 0x30);
    else clientId = clientId * 10 + (c - 0x30);
  }
  return undefined;
}
