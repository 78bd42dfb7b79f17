/**
 * The seam between the typed client and the transport: the Resources service of
 * proto/apipb/api.proto as promises, with objects as JSON bytes. {@link ApiClient} speaks it
 * over gRPC with failover; {@link FakeResourceApi} speaks it in memory for tests. Every
 * method rejects with `ApiStatusError`.
 */
import type { CreateRequest } from "../../proto/generated/flotilla/apipb/CreateRequest.js";
import type { DeleteRequest } from "../../proto/generated/flotilla/apipb/DeleteRequest.js";
import type { GetRequest } from "../../proto/generated/flotilla/apipb/GetRequest.js";
import type { ListRequest } from "../../proto/generated/flotilla/apipb/ListRequest.js";
import type { PatchRequest } from "../../proto/generated/flotilla/apipb/PatchRequest.js";
import type { UpdateRequest } from "../../proto/generated/flotilla/apipb/UpdateRequest.js";
import type { WatchRequest } from "../../proto/generated/flotilla/apipb/WatchRequest.js";

export type {
  CreateRequest,
  DeleteRequest,
  GetRequest,
  ListRequest,
  PatchRequest,
  UpdateRequest,
  WatchRequest,
};

/** Per-call options. */
export interface CallOptions {
  /** Cancels the call and its retries: it rejects with ApiStatusError CANCELLED. */
  readonly signal?: AbortSignal;
  /** Overrides the client's deadline for this call. */
  readonly timeoutMs?: number;
}

/** One page of a List. */
export interface RawList {
  readonly items: readonly Buffer[];
  readonly resourceVersion: string;
  readonly continue: string;
  readonly remainingItemCount: number;
}

/** One event of a Watch stream, object still as JSON bytes. */
export interface RawWatchEvent {
  readonly type: string;
  readonly object: Buffer;
}

/**
 * An open Watch stream. Iteration ends normally when the server ends the stream, throws an
 * ApiStatusError when it fails (OUT_OF_RANGE = Expired: relist), and stops after close().
 */
export interface RawWatch extends AsyncIterable<RawWatchEvent> {
  close(): void;
}

export interface ResourceApi {
  create(req: CreateRequest, options?: CallOptions): Promise<Buffer>;
  get(req: GetRequest, options?: CallOptions): Promise<Buffer>;
  list(req: ListRequest, options?: CallOptions): Promise<RawList>;
  update(req: UpdateRequest, options?: CallOptions): Promise<Buffer>;
  updateStatus(req: UpdateRequest, options?: CallOptions): Promise<Buffer>;
  patch(req: PatchRequest, options?: CallOptions): Promise<Buffer>;
  delete(req: DeleteRequest, options?: CallOptions): Promise<Buffer>;
  watch(req: WatchRequest, options?: Pick<CallOptions, "signal">): RawWatch;
}
