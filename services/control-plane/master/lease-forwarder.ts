/**
 * Lease keep-alives and time-to-live queries that reach a follower go to the leader, whose
 * lessor alone keeps lease clocks. We forward over the leader's own etcd client endpoint
 * (learned from the member-attribute table): one LeaseKeepAlive stream per leader, shared by
 * every forwarded renewal, and unary LeaseTimeToLive calls.
 *
 * Every wait is bounded (`timeoutMs`, `pendingMax`); a broken stream fails what it carried
 * and the next call opens a new one.
 */
import { type ClientDuplexStream, credentials, type ServiceError, status } from "@grpc/grpc-js";
import { type LeaseId, LeaseNotFoundError, type LeaseTimeToLive } from "../../../libs/mvcc/index.js";
import type { FlotillaProtos } from "../../../proto/load.js";
import { NoLeaderError, TimeoutError, TooManyRequestsError } from "../etcd/index.js";

export interface LeaseForwarderOptions {
  readonly protos: FlotillaProtos;
  /** A forwarded call not answered in this time fails with TimeoutError. @default 3000 */
  readonly timeoutMs?: number;
  /** Keep-alives waiting on the leader at once; beyond it TooManyRequestsError. @default 10000 */
  readonly pendingMax?: number;
}

interface Waiter {
  readonly resolve: (ttlSec: number) => void;
  readonly reject: (err: Error) => void;
  readonly timer: NodeJS.Timeout;
}

interface KeepAliveWire {
  readonly ID: string;
  readonly TTL: string | number;
}

interface TimeToLiveWire {
  readonly ID: string;
  readonly TTL: string | number;
  readonly grantedTTL: string | number;
  readonly keys: Uint8Array[];
}

/** The two Lease methods we call, typed. */
interface LeaseClient {
  LeaseKeepAlive(): ClientDuplexStream<{ ID: string }, KeepAliveWire>;
  LeaseTimeToLive(
    req: { ID: string; keys: boolean },
    options: { deadline: number },
    callback: (err: ServiceError | null, res: TimeToLiveWire) => void,
  ): void;
  close(): void;
}

/** The connection to one leader. */
interface Connection {
  readonly target: string;
  readonly client: LeaseClient;
  stream: ClientDuplexStream<{ ID: string }, KeepAliveWire> | undefined;
  /** Waiting renewals by lease id, oldest first (the leader answers each request once). */
  readonly waiters: Map<string, Waiter[]>;
}

export class LeaseForwarder {
  private conn: Connection | undefined;
  private pending = 0;
  private readonly timeoutMs: number;
  private readonly pendingMax: number;

  constructor(private readonly o: LeaseForwarderOptions) {
    this.timeoutMs = o.timeoutMs ?? 3000;
    this.pendingMax = o.pendingMax ?? 10_000;
  }

  /** Renews `id` on the leader at `clientUrl` ("http://host:port"); resolves with its TTL. */
  keepAlive(clientUrl: string, id: LeaseId): Promise<number> {
    if (this.pending >= this.pendingMax) return Promise.reject(new TooManyRequestsError());
    const conn = this.connection(clientUrl);
    const stream = this.keepAliveStream(conn);
    const key = String(id);
    return new Promise<number>((resolve, reject) => {
      this.pending++;
      const timer = setTimeout(() => {
        const list = conn.waiters.get(key);
        const i = list?.indexOf(waiter) ?? -1;
        if (list && i >= 0) list.splice(i, 1);
        this.pending--;
        reject(new TimeoutError());
      }, this.timeoutMs);
      const waiter: Waiter = {
        resolve: (ttl) => {
          clearTimeout(timer);
          this.pending--;
          if (ttl <= 0) reject(new LeaseNotFoundError(id));
          else resolve(ttl);
        },
        reject: (err) => {
          clearTimeout(timer);
          this.pending--;
          reject(err);
        },
        timer,
      };
      const list = conn.waiters.get(key) ?? [];
      list.push(waiter);
      conn.waiters.set(key, list);
      stream.write({ ID: key });
    });
  }

  /** The leader's view of `id`; undefined when it does not exist there. */
  timeToLive(clientUrl: string, id: LeaseId, keys: boolean): Promise<LeaseTimeToLive | undefined> {
    const conn = this.connection(clientUrl);
    return new Promise((resolve, reject) => {
      conn.client.LeaseTimeToLive(
        { ID: String(id), keys },
        { deadline: Date.now() + this.timeoutMs },
        (err: ServiceError | null, res: TimeToLiveWire) => {
          if (err) return reject(forwardError(err));
          const ttlSec = Number(res.TTL);
          if (ttlSec < 0) return resolve(undefined);
          resolve({ id, ttlSec, grantedTtlSec: Number(res.grantedTTL), keys: res.keys });
        },
      );
    });
  }

  close(): void {
    if (this.conn) this.drop(this.conn, new NoLeaderError());
  }

  private connection(clientUrl: string): Connection {
    const target = clientUrl.replace(/^https?:\/\//, "");
    if (this.conn?.target === target) return this.conn;
    if (this.conn) this.drop(this.conn, new NoLeaderError());
    const client = new this.o.protos.etcdserverpb.Lease(target, credentials.createInsecure(), {
      "grpc.initial_reconnect_backoff_ms": 50,
      "grpc.max_reconnect_backoff_ms": 1000,
    }) as unknown as LeaseClient;
    this.conn = { target, client, stream: undefined, waiters: new Map() };
    return this.conn;
  }

  private keepAliveStream(conn: Connection): NonNullable<Connection["stream"]> {
    if (conn.stream) return conn.stream;
    const stream = conn.client.LeaseKeepAlive();
    conn.stream = stream;
    const broken = (err: Error): void => {
      if (conn.stream !== stream) return;
      conn.stream = undefined;
      failAll(conn, err);
    };
    stream.on("data", (res: KeepAliveWire) => {
      const list = conn.waiters.get(String(res.ID));
      const w = list?.shift();
      if (list && list.length === 0) conn.waiters.delete(String(res.ID));
      w?.resolve(Number(res.TTL));
    });
    stream.on("error", (err: ServiceError) => broken(forwardError(err)));
    stream.on("end", () => broken(new NoLeaderError()));
    return stream;
  }

  private drop(conn: Connection, err: Error): void {
    conn.stream?.cancel();
    conn.stream = undefined;
    failAll(conn, err);
    conn.client.close();
    if (this.conn === conn) this.conn = undefined;
  }
}

function failAll(conn: Connection, err: Error): void {
  const all = [...conn.waiters.values()].flat();
  conn.waiters.clear();
  for (const w of all) w.reject(err);
}

/** A failed forward as an etcd error the client retries (the leader is gone or busy). */
function forwardError(err: ServiceError): Error {
  switch (err.code) {
    case status.RESOURCE_EXHAUSTED:
      return new TooManyRequestsError({ cause: err });
    case status.DEADLINE_EXCEEDED:
      return new TimeoutError({ cause: err });
    default:
      return new NoLeaderError({ cause: err });
  }
}
