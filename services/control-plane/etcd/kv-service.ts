/**
 * etcd's KV service. Range reads the local store, after a ReadIndex barrier unless the
 * client asked for a serializable read; every other call is a command committed through
 * Raft (read-only txns too: their compares must be evaluated by the store, which only does
 * that in apply; etcd 3.5 would serve them locally after a barrier).
 */
import type { UntypedServiceImplementation } from "@grpc/grpc-js";
import type { Command, CommandResponse } from "../../../libs/mvcc/index.js";
import type { EtcdBackend } from "./backend.js";
import { header, type ServiceContext, unary } from "./context.js";
import {
  deleteFromWire,
  deleteToWire,
  int64,
  putFromWire,
  putToWire,
  rangeFromWire,
  rangeToWire,
  txnFromWire,
  txnToWire,
} from "./convert.js";
import { RequestTooLargeError } from "./errors.js";
import type {
  WireCompactionRequest,
  WireDeleteRangeRequest,
  WireDeleteRangeResponse,
  WireHeader,
  WirePutRequest,
  WirePutResponse,
  WireRangeRequest,
  WireRangeResponse,
  WireTxnRequest,
  WireTxnResponse,
} from "./wire.js";

/**
 * Proposes `cmd` and returns the store's response to it; a deterministic rejection by the
 * store is thrown as its MvccError (mapped to etcd's status at the edge).
 */
export async function commit<T extends Command["type"]>(
  backend: EtcdBackend,
  cmd: Command & { type: T },
): Promise<CommandResponse & { type: T }> {
  const result = await backend.propose(cmd);
  switch (result.kind) {
    case "applied":
      if (result.response.type !== cmd.type)
        throw new Error(`a ${cmd.type} command was answered with a ${result.response.type} response`);
      return result.response as CommandResponse & { type: T };
    case "rejected":
      throw result.error;
    case "alreadyApplied":
      throw new Error(`entry ${result.index} of a new proposal was reported as applied before`);
  }
}

export function kvService(ctx: ServiceContext): UntypedServiceImplementation {
  const { backend } = ctx;
  const refuseOversized = (req: object): void => {
    if (ctx.isOversized(req)) throw new RequestTooLargeError();
  };

  return {
    Range: unary<WireRangeRequest, WireRangeResponse>(async (req) => {
      const range = rangeFromWire(req);
      if (!req.serializable) await backend.readIndex();
      const out = backend.store.range(range);
      if (!out.ok) throw out.error;
      return rangeToWire(out.value.range, header(backend, out.value.header.revision));
    }),

    Put: unary<WirePutRequest, WirePutResponse>(async (req) => {
      refuseOversized(req);
      const res = await commit(backend, { type: "put", put: putFromWire(req) });
      return putToWire(res.put.prevKv, header(backend, res.header.revision));
    }),

    DeleteRange: unary<WireDeleteRangeRequest, WireDeleteRangeResponse>(async (req) => {
      refuseOversized(req);
      const res = await commit(backend, { type: "deleteRange", deleteRange: deleteFromWire(req) });
      return deleteToWire(res.deleteRange, header(backend, res.header.revision));
    }),

    Txn: unary<WireTxnRequest, WireTxnResponse>(async (req) => {
      refuseOversized(req);
      const txn = txnFromWire(req, ctx.limits);
      const res = await commit(backend, { type: "txn", txn });
      return txnToWire(res.txn, header(backend, res.header.revision));
    }),

    Compact: unary<WireCompactionRequest, { header: WireHeader }>(async (req) => {
      const revision = int64(req.revision, "revision");
      const res = await commit(backend, {
        type: "compact",
        compact: req.physical ? { revision, physical: true } : { revision },
      });
      return { header: header(backend, res.header.revision) };
    }),
  };
}
