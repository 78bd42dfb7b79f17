import {
  type ApplyResult,
  bytesToLatin1,
  type Command,
  type KeyValue,
  type LeaseId,
  latin1ToBytes,
  NO_LEASE,
} from "../../../libs/mvcc/index.js";
import { type KvInput, type KvOutput, kvOut } from "../../linearizability/index.js";

/**
 * The store commands behind each checked client operation, and the reading of the store's
 * answers as the linearizability model's outputs. Keys and values are ASCII, so latin1 (the
 * store's key form) and text coincide.
 */

/** TTL of the leases clients grant: long enough never to matter (expiry is not simulated). */
export const LEASE_TTL_SEC = 3600;

/** The command of a write (a get is never proposed: reads go through ReadIndex). */
export function commandOf(input: KvInput, lease: LeaseId = NO_LEASE): Command {
  const key = latin1ToBytes(input.key);
  switch (input.kind) {
    case "get":
      throw new Error("a get is read through ReadIndex, not proposed");
    case "put":
      return {
        type: "put",
        put:
          lease === NO_LEASE
            ? { key, value: latin1ToBytes(input.value) }
            : { key, value: latin1ToBytes(input.value), lease },
      };
    case "delete":
      return { type: "deleteRange", deleteRange: { key } };
    case "cas":
      return {
        type: "txn",
        txn: {
          // etcd's idiom: version 0 means absent; otherwise compare the value.
          compare: [
            input.expected === null
              ? { key, target: "version", result: "equal", version: 0 }
              : { key, target: "value", result: "equal", value: latin1ToBytes(input.expected) },
          ],
          success: [{ type: "put", put: { key, value: latin1ToBytes(input.value) } }],
          failure: [],
        },
      };
  }
}

/**
 * The client's answer for a write, or "noEffect" when the store rejected it (a rejection is
 * deterministic and changes nothing: the operation did not happen).
 */
export function writeOutput(input: KvInput, result: ApplyResult): KvOutput | "noEffect" {
  if (result.kind === "rejected") return "noEffect";
  if (result.kind !== "applied") throw new Error(`no output for an entry ${result.kind}`);
  const r = result.response;
  switch (input.kind) {
    case "put":
      if (r.type === "put") return kvOut.put(r.header.revision);
      break;
    case "delete":
      if (r.type === "deleteRange") return kvOut.delete(r.deleteRange.deleted, r.header.revision);
      break;
    case "cas":
      if (r.type === "txn") return kvOut.cas(r.txn.succeeded, r.header.revision);
      break;
    case "get":
      break;
  }
  throw new Error(`a ${input.kind} answered with a ${r.type} response`);
}

/** A read's answer: the value and modRevision of `kv`, or absent. */
export function getOutput(kv: KeyValue | undefined): KvOutput {
  return kv === undefined ? kvOut.get(null) : kvOut.get(bytesToLatin1(kv.value), kv.modRevision);
}
