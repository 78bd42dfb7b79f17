/**
 * etcd's Lease service. Grant and Revoke are commands through Raft; keep-alives and
 * time-to-live use the leader's lease clock through the backend (which forwards from a
 * follower); the list of leases is the local store's.
 */
import type { ServerDuplexStream, UntypedServiceImplementation } from "@grpc/grpc-js";
import { LeaseNotFoundError } from "../../../libs/mvcc/index.js";
import { currentHeader, header, type ServiceContext, unary } from "./context.js";
import { leaseIdOf, ttlSecOf } from "./convert.js";
import { toServiceError } from "./errors.js";
import { commit } from "./kv-service.js";
import type { WireHeader, WireLong } from "./wire.js";

export interface LeaseLimits {
  /** Keep-alives of one stream awaiting the backend before the stream stops reading. @default 64 */
  readonly keepAliveInFlightMax: number;
}

export const DEFAULT_LEASE_LIMITS: LeaseLimits = { keepAliveInFlightMax: 64 };

interface KeepAliveRequest {
  readonly ID: WireLong;
}
interface KeepAliveResponse {
  readonly header: WireHeader;
  readonly ID: WireLong;
  readonly TTL: number;
}

export function leaseService(ctx: ServiceContext, limits: LeaseLimits): UntypedServiceImplementation {
  const { backend } = ctx;
  return {
    LeaseGrant: unary<{ TTL: WireLong; ID: WireLong }, object>(async (req) => {
      const id = leaseIdOf(req.ID, "ID");
      const ttlSec = ttlSecOf(req.TTL, "TTL");
      const res = await commit(backend, { type: "leaseGrant", leaseGrant: { id, ttlSec } });
      return {
        header: header(backend, res.header.revision),
        ID: res.leaseGrant.id,
        TTL: res.leaseGrant.ttlSec,
        error: "",
      };
    }),

    LeaseRevoke: unary<{ ID: WireLong }, object>(async (req) => {
      const id = leaseIdOf(req.ID, "ID");
      const res = await commit(backend, { type: "leaseRevoke", leaseRevoke: { id } });
      return { header: header(backend, res.header.revision) };
    }),

    LeaseTimeToLive: unary<{ ID: WireLong; keys: boolean }, object>(async (req) => {
      const id = leaseIdOf(req.ID, "ID");
      const ttl = await backend.leaseTimeToLive(id, req.keys);
      // As etcd: a missing lease is a response with TTL -1, not an error.
      if (ttl === undefined)
        return { header: currentHeader(backend), ID: id, TTL: -1, grantedTTL: 0, keys: [] };
      return {
        header: currentHeader(backend),
        ID: id,
        TTL: ttl.ttlSec,
        grantedTTL: ttl.grantedTtlSec,
        keys: ttl.keys,
      };
    }),

    LeaseLeases: unary<object, object>(async () => ({
      header: currentHeader(backend),
      leases: backend.store.leaseIds().map((id) => ({ ID: id })),
    })),

    LeaseKeepAlive: (call: ServerDuplexStream<KeepAliveRequest, KeepAliveResponse>) => {
      keepAliveStream(ctx, call, limits);
    },
  };
}

/**
 * One response per request, TTL 0 for a lease that does not exist (as etcd). Bounded: at most
 * `keepAliveInFlightMax` renewals pending, and no reading while the write side is full.
 */
function keepAliveStream(
  ctx: ServiceContext,
  call: ServerDuplexStream<KeepAliveRequest, KeepAliveResponse>,
  limits: LeaseLimits,
): void {
  const { backend } = ctx;
  let inFlight = 0;
  let writable = true;
  let paused = false;
  let halfClosed = false;
  let closed = false;

  const fail = (err: unknown): void => {
    if (closed) return;
    closed = true;
    call.emit("error", toServiceError(err));
  };
  const adjustReading = (): void => {
    const shouldPause = !writable || inFlight >= limits.keepAliveInFlightMax;
    if (shouldPause && !paused) call.pause();
    else if (!shouldPause && paused) call.resume();
    paused = shouldPause;
  };
  const maybeEnd = (): void => {
    if (halfClosed && inFlight === 0 && !closed) {
      closed = true;
      call.end();
    }
  };

  call.on("data", (req: KeepAliveRequest) => {
    if (closed) return;
    let id: ReturnType<typeof leaseIdOf>;
    try {
      id = leaseIdOf(req.ID, "ID");
    } catch (err) {
      fail(err);
      return;
    }
    inFlight++;
    adjustReading();
    backend
      .leaseKeepAlive(id)
      .catch((err: unknown) => {
        if (err instanceof LeaseNotFoundError) return 0;
        throw err;
      })
      .then(
        (ttl) => {
          inFlight--;
          if (closed) return;
          writable = call.write({ header: currentHeader(backend), ID: id, TTL: ttl });
          adjustReading();
          maybeEnd();
        },
        (err: unknown) => {
          inFlight--;
          fail(err);
        },
      );
  });
  call.on("drain", () => {
    writable = true;
    if (!closed) adjustReading();
  });
  call.on("end", () => {
    halfClosed = true;
    maybeEnd();
  });
  call.on("cancelled", () => {
    closed = true;
  });
  call.on("error", () => {
    closed = true;
  });
}
