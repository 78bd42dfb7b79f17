/**
 * etcd's Maintenance service: Status from Raft's view, hashes of the local store, the
 * snapshot stream, leader transfer. Alarms do not exist here (no space quota, no corruption
 * alarm): Alarm always answers an empty list, which is what `etcdctl endpoint health` wants.
 * Defragment has nothing to do.
 */
import { createHash } from "node:crypto";
import type { ServerWritableStream, UntypedServiceImplementation } from "@grpc/grpc-js";
import { memberIdOf } from "./cluster-service.js";
import { currentHeader, header, type ServiceContext, unary } from "./context.js";
import { int64 } from "./convert.js";
import { ETCD_RPC_ERRORS, toServiceError } from "./errors.js";
import { envelopeBytes, envelopeTrailer } from "./snapshot-envelope.js";
import type { WireHeader, WireLong } from "./wire.js";

/**
 * The etcd version we report. Clients read it (etcdctl prints it; some libraries gate
 * features on it), and the API served is etcd 3.5's.
 */
export const ETCD_COMPAT_VERSION = "3.5.17";

export interface MaintenanceLimits {
  /** Bytes per Snapshot message (etcd: 32 KiB). @default 32768 */
  readonly snapshotChunkBytes: number;
}

export const DEFAULT_MAINTENANCE_LIMITS: MaintenanceLimits = { snapshotChunkBytes: 32 * 1024 };

interface SnapshotResponse {
  readonly header: WireHeader;
  readonly remaining_bytes: number;
  readonly blob: Uint8Array;
  readonly version: string;
}

export function maintenanceService(
  ctx: ServiceContext,
  limits: MaintenanceLimits,
): UntypedServiceImplementation {
  const { backend } = ctx;
  return {
    Status: unary<object, object>(async () => {
      const rs = backend.raftStatus();
      const dbSize = backend.dbSizeBytes();
      return {
        header: currentHeader(backend),
        version: ETCD_COMPAT_VERSION,
        dbSize,
        dbSizeInUse: dbSize,
        leader: rs.leaderId,
        raftIndex: rs.commitIndex,
        raftTerm: rs.term,
        raftAppliedIndex: rs.appliedIndex,
        // As etcd: a member without a leader says so here.
        errors: rs.leaderId === "0" ? [ETCD_RPC_ERRORS.noLeader.message] : [],
        isLearner: rs.isLearner,
      };
    }),

    Alarm: unary<object, object>(async () => ({ header: currentHeader(backend), alarms: [] })),

    Defragment: unary<object, object>(async () => ({ header: currentHeader(backend) })),

    Hash: unary<object, object>(async () => {
      const out = backend.store.hashKv(0);
      if (!out.ok) throw out.error;
      return { header: header(backend, out.value.hashRevision), hash: out.value.hash };
    }),

    HashKV: unary<{ revision: WireLong }, object>(async (req) => {
      const out = backend.store.hashKv(int64(req.revision, "revision"));
      if (!out.ok) throw out.error;
      return {
        header: currentHeader(backend),
        hash: out.value.hash,
        compact_revision: out.value.compactRevision,
        hash_revision: out.value.hashRevision,
      };
    }),

    MoveLeader: unary<{ targetID: WireLong }, object>(async (req) => {
      await backend.moveLeader(memberIdOf(req.targetID, "targetID"));
      return { header: currentHeader(backend) };
    }),

    Snapshot: (call: ServerWritableStream<object, SnapshotResponse>) => {
      streamSnapshot(ctx, limits, call).catch((err: unknown) => {
        if (!call.cancelled) call.emit("error", toServiceError(err));
      });
    },
  };
}

/** Streams the envelope of snapshot-envelope.ts in bounded chunks, honouring backpressure. */
async function streamSnapshot(
  ctx: ServiceContext,
  limits: MaintenanceLimits,
  call: ServerWritableStream<object, SnapshotResponse>,
): Promise<void> {
  const { backend } = ctx;
  const source = await backend.snapshot();
  const total = envelopeBytes(source.totalBytes);
  const sha = createHash("sha256");
  let sent = 0;
  const send = async (blob: Uint8Array, hashed: boolean): Promise<void> => {
    if (hashed) sha.update(blob);
    sent += blob.length;
    const ok = call.write({
      header: currentHeader(backend),
      remaining_bytes: total - sent,
      blob,
      version: ETCD_COMPAT_VERSION,
    });
    if (!ok) await drained(call);
  };

  let dataBytes = 0;
  for await (const chunk of source.chunks) {
    for (let off = 0; off < chunk.length; off += limits.snapshotChunkBytes) {
      if (call.cancelled) return;
      const part = chunk.subarray(off, off + limits.snapshotChunkBytes);
      dataBytes += part.length;
      if (dataBytes > source.totalBytes) break;
      await send(part, true);
    }
  }
  if (dataBytes !== source.totalBytes)
    throw new Error(`snapshot source yielded ${dataBytes} bytes but announced ${source.totalBytes}`);
  await send(envelopeTrailer(dataBytes), true);
  await send(sha.digest(), false);
  call.end();
}

/** Resolves when the stream accepts writes again; rejects if the call ends first. */
function drained(call: ServerWritableStream<object, SnapshotResponse>): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (): void => {
      call.off("drain", onDrain);
      call.off("cancelled", onGone);
      call.off("close", onGone);
      call.off("error", onGone);
    };
    const onDrain = (): void => {
      done();
      resolve();
    };
    const onGone = (): void => {
      done();
      reject(new Error("snapshot stream closed by the client"));
    };
    call.on("drain", onDrain);
    call.on("cancelled", onGone);
    call.on("close", onGone);
    call.on("error", onGone);
  });
}
