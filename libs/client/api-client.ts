/**
 * {@link ResourceApi} over gRPC against a list of masters, with failover. Every master
 * serves the whole API, so a call that cannot be served by one is retried on the next,
 * with exponential backoff and jitter, within a bounded number of attempts and time.
 */
import { type ChannelOptions, type Client, credentials, status } from "@grpc/grpc-js";
import type { ListResponse__Output } from "../../proto/generated/flotilla/apipb/ListResponse.js";
import type { ObjectResponse__Output } from "../../proto/generated/flotilla/apipb/ObjectResponse.js";
import type { WatchEvent__Output } from "../../proto/generated/flotilla/apipb/WatchEvent.js";
import { type FlotillaProtos, loadProtos } from "../../proto/load.js";
import { Backoff, type BackoffOptions } from "./backoff.js";
import { AbortedError, type Clock, realClock, sleep } from "./clock.js";
import { ApiStatusError, serverSentReason, toApiStatusError } from "./errors.js";
import { callUnary, pausableChannel, pipeStream, waitConnected } from "./grpc-calls.js";
import type { KubeObject } from "./object.js";
import type {
  CallOptions,
  CreateRequest,
  DeleteRequest,
  GetRequest,
  ListRequest,
  PatchRequest,
  RawList,
  RawWatch,
  RawWatchEvent,
  ResourceApi,
  UpdateRequest,
  WatchRequest,
} from "./resource-api.js";
import { ResourceClient } from "./resource-client.js";

export interface ApiClientOptions {
  /** Deadline of every unary call attempt (connecting included). @default 10_000 */
  readonly callTimeoutMs?: number;
  /** Attempts per call, the first included, across endpoints. @default 6 */
  readonly maxAttempts?: number;
  /** No retry starts once this much time has passed since the call began. @default 30_000 */
  readonly retryBudgetMs?: number;
  /** Delays between attempts. @default { baseMs: 50, maxMs: 2_000 } */
  readonly backoff?: BackoffOptions;
  /** Events a watch buffers before it stops reading from the socket. @default 1_000 */
  readonly watchBufferMax?: number;
  /** Loaded protos to share between clients. @default loadProtos() */
  readonly protos?: FlotillaProtos;
  /** Extra grpc-js channel options (e.g. keepalive); override the reconnect backoff (100 ms to 5 s). @default {} */
  readonly channelOptions?: ChannelOptions;
  /** For the sleeps between retries. @default realClock */
  readonly clock?: Clock;
}

/** Whether a call changes the store; decides which failures may be retried. */
type CallKind = "read" | "write";

/**
 * The client of every master's Resources service.
 *
 * Retries, on the next endpoint after a backoff:
 * - any call whose endpoint could not be connected to: the channel never became READY
 *   within the deadline or failed to connect (TRANSIENT_FAILURE), so no request was sent;
 * - any call the server answered UNAVAILABLE with `flotilla-reason: ServiceUnavailable`
 *   (no leader): the server refused it before proposing anything;
 * - reads (Get, List, opening a Watch) that failed with any UNAVAILABLE (e.g. the
 *   connection dropped mid-call) or DEADLINE_EXCEEDED.
 *
 * Writes (Create, Update, UpdateStatus, Patch, Delete) that fail any other way, in
 * particular UNAVAILABLE from a connection lost after the request was sent, or
 * DEADLINE_EXCEEDED, are NOT retried: the write may have happened, and only the caller
 * can tell (re-read, or rely on resourceVersion / AlreadyExists).
 */
export class ApiClient implements ResourceApi {
  private readonly clients: (Client | undefined)[];
  private current = 0;
  private closed = false;
  private readonly protos: FlotillaProtos;
  private readonly clock: Clock;
  private readonly callTimeoutMs: number;
  private readonly maxAttempts: number;
  private readonly retryBudgetMs: number;

  constructor(
    readonly endpoints: readonly string[],
    private readonly options: ApiClientOptions = {},
  ) {
    if (endpoints.length === 0) throw new RangeError("ApiClient needs at least one endpoint");
    this.clients = endpoints.map(() => undefined);
    this.protos = options.protos ?? loadProtos();
    this.clock = options.clock ?? realClock;
    this.callTimeoutMs = options.callTimeoutMs ?? 10_000;
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 6);
    this.retryBudgetMs = options.retryBudgetMs ?? 30_000;
  }

  /** A typed client of one resource ("pods", "Pod", "po"), optionally bound to a namespace. */
  resource<T extends KubeObject>(kind: string, namespace = ""): ResourceClient<T> {
    return new ResourceClient<T>(this, kind, namespace);
  }

  /** The endpoint the next call goes to first. */
  get currentEndpoint(): string {
    return this.endpoints[this.current] as string;
  }

  /** Closes every channel; later calls fail. */
  close(): void {
    this.closed = true;
    for (const c of this.clients) c?.close();
  }

  create(req: CreateRequest, options?: CallOptions): Promise<Buffer> {
    return this.object("Create", req, "write", options);
  }
  get(req: GetRequest, options?: CallOptions): Promise<Buffer> {
    return this.object("Get", req, "read", options);
  }
  update(req: UpdateRequest, options?: CallOptions): Promise<Buffer> {
    return this.object("Update", req, "write", options);
  }
  updateStatus(req: UpdateRequest, options?: CallOptions): Promise<Buffer> {
    return this.object("UpdateStatus", req, "write", options);
  }
  patch(req: PatchRequest, options?: CallOptions): Promise<Buffer> {
    return this.object("Patch", req, "write", options);
  }
  delete(req: DeleteRequest, options?: CallOptions): Promise<Buffer> {
    return this.object("Delete", req, "write", options);
  }

  async list(req: ListRequest, options?: CallOptions): Promise<RawList> {
    const res = await this.unary<ListResponse__Output>("List", req, "read", options);
    return {
      items: res.items,
      resourceVersion: res.resource_version,
      continue: res.continue,
      remainingItemCount: Number(res.remaining_item_count) || 0,
    };
  }

  /**
   * Opens a Watch on the first endpoint that connects (retried like a read). The stream has
   * no deadline. When it fails with UNAVAILABLE the client moves to the next endpoint, so the
   * caller's re-watch (from its last resourceVersion) lands on another master.
   */
  watch(req: WatchRequest, options: Pick<CallOptions, "signal"> = {}): RawWatch {
    const { channel, attach } = pausableChannel<RawWatchEvent>(this.options.watchBufferMax ?? 1_000);
    const abort = new AbortController();
    const onAbort = (): void => {
      abort.abort();
      channel.close();
    };
    options.signal?.addEventListener("abort", onAbort, { once: true });
    void this.withRetries("read", { signal: abort.signal }, async (index, deadlineMs) => {
      const client = this.clientAt(index);
      if (!(await waitConnected(client, deadlineMs))) throw notConnected(this.endpoints[index] ?? "");
      if (abort.signal.aborted) throw new AbortedError("the watch was closed");
      const stream = pipeStream<WatchEvent__Output, RawWatchEvent>(
        client,
        "Watch",
        req,
        channel,
        (msg) => ({ type: msg.type, object: msg.object }),
        (end) => {
          options.signal?.removeEventListener("abort", onAbort);
          if (!end.ok && toApiStatusError(end.error).code === status.UNAVAILABLE) this.rotate(index);
        },
      );
      attach(stream);
    }).catch((err: unknown) => channel.end(err instanceof AbortedError ? undefined : err));
    return {
      [Symbol.asyncIterator]: () => channel[Symbol.asyncIterator](),
      close: onAbort,
    };
  }

  private async object(method: string, req: object, kind: CallKind, options?: CallOptions): Promise<Buffer> {
    const res = await this.unary<ObjectResponse__Output>(method, req, kind, options);
    return res.object;
  }

  private async unary<Res>(
    method: string,
    req: object,
    kind: CallKind,
    options: CallOptions = {},
  ): Promise<Res> {
    try {
      return await this.withRetries(kind, options, async (index, deadlineMs) => {
        const client = this.clientAt(index);
        if (!(await waitConnected(client, deadlineMs))) throw notConnected(this.endpoints[index] ?? "");
        return callUnary<Res>(client, method, req, deadlineMs, options.signal);
      });
    } catch (err) {
      if (err instanceof AbortedError) throw new ApiStatusError(status.CANCELLED, "", "the call was aborted");
      throw err;
    }
  }

  /** Runs `attempt` on successive endpoints until it succeeds or fails in a way that must not be retried. */
  private async withRetries<R>(
    kind: CallKind,
    options: CallOptions,
    attempt: (index: number, deadlineMs: number) => Promise<R>,
  ): Promise<R> {
    const startMs = this.clock.now();
    const backoff = new Backoff({ baseMs: 50, maxMs: 2_000, ...this.options.backoff });
    for (let n = 1; ; n++) {
      if (this.closed) throw new ApiStatusError(status.CANCELLED, "", "the ApiClient is closed");
      if (options.signal?.aborted) throw new AbortedError("the call was aborted");
      const index = this.current;
      let error: ApiStatusError;
      let notSent = false;
      try {
        return await attempt(index, Date.now() + (options.timeoutMs ?? this.callTimeoutMs));
      } catch (err) {
        if (err instanceof AbortedError) throw err;
        notSent = err instanceof NotConnectedError;
        error = toApiStatusError(err);
        if (!retryable(err, error, kind, notSent)) {
          // Not retried, but the endpoint is suspect: the caller's next call goes elsewhere.
          if (error.code === status.UNAVAILABLE) this.rotate(index);
          throw error;
        }
      }
      this.rotate(index);
      const delayMs = backoff.nextDelayMs();
      if (n >= this.maxAttempts || this.clock.now() + delayMs - startMs > this.retryBudgetMs) throw error;
      await sleep(this.clock, delayMs, options.signal);
    }
  }

  private clientAt(index: number): Client {
    const existing = this.clients[index];
    if (existing !== undefined) return existing;
    const Ctor = this.protos.apipb.Resources;
    const client = new Ctor(this.endpoints[index] as string, credentials.createInsecure(), {
      "grpc.max_receive_message_length": 64 * 1024 * 1024,
      // A restarted master is found again within seconds, not grpc-js's default 2 minutes.
      "grpc.initial_reconnect_backoff_ms": 100,
      "grpc.max_reconnect_backoff_ms": 5_000,
      ...this.options.channelOptions,
    });
    this.clients[index] = client;
    return client;
  }

  /** Moves on from `index`, unless another failure already did. */
  private rotate(index: number): void {
    if (this.current === index) this.current = (index + 1) % this.endpoints.length;
  }
}

/** The channel to an endpoint never became ready: the request was not sent. */
class NotConnectedError extends ApiStatusError {
  override readonly name = "ApiStatusError";
}

function notConnected(endpoint: string): NotConnectedError {
  return new NotConnectedError(status.UNAVAILABLE, "ServiceUnavailable", `cannot connect to ${endpoint}`);
}

function retryable(raw: unknown, error: ApiStatusError, kind: CallKind, notSent: boolean): boolean {
  if (notSent) return true;
  if (error.code === status.UNAVAILABLE && serverSentReason(raw) && error.reason === "ServiceUnavailable")
    return true;
  if (kind === "read") return error.code === status.UNAVAILABLE || error.code === status.DEADLINE_EXCEEDED;
  return false;
}
