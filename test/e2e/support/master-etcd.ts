/**
 * etcd clients for the master end-to-end tests: etcdctl runs (bounded), and raw gRPC calls
 * with deadlines (to record exactly which writes were acknowledged).
 */
import { spawn } from "node:child_process";
import { type Client, credentials, type ServiceError } from "@grpc/grpc-js";
import { type FlotillaProtos, loadProtos } from "../../../proto/load.js";
import { ETCDCTL, type RunResult, run } from "./child-process.js";

export { ETCDCTL, HAVE_ETCDCTL, type RunResult } from "./child-process.js";

/** Runs etcdctl (v3 API) against `endpoints`; SIGKILLed after `timeoutMs`. */
export function etcdctl(
  endpoints: readonly string[],
  args: readonly string[],
  opts: { stdin?: string; timeoutMs?: number } = {},
): Promise<RunResult> {
  return run(
    ETCDCTL,
    [`--endpoints=${endpoints.join(",")}`, "--command-timeout=8s", "--dial-timeout=3s", ...args],
    {
      env: { ETCDCTL_API: "3" },
      timeoutMs: opts.timeoutMs ?? 15_000,
      ...(opts.stdin === undefined ? {} : { stdin: opts.stdin }),
    },
  );
}

/** Starts etcdctl without waiting (watch); the caller kills it. */
export function etcdctlStream(endpoints: readonly string[], args: readonly string[]) {
  const child = spawn(ETCDCTL, [`--endpoints=${endpoints.join(",")}`, ...args], {
    env: { ...process.env, ETCDCTL_API: "3" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const out = { text: "" };
  child.stdout.on("data", (d: Buffer) => {
    out.text += d.toString();
  });
  return { child, out };
}

let protos: FlotillaProtos | undefined;

export type EtcdService = "KV" | "Watch" | "Lease" | "Cluster" | "Maintenance";

/** A grpc-js client of one etcd service on `endpoint`. */
export function grpcClient(endpoint: string, service: EtcdService): Client {
  protos ??= loadProtos();
  const Ctor = protos.etcdserverpb[service];
  return new Ctor(endpoint, credentials.createInsecure(), {
    "grpc.initial_reconnect_backoff_ms": 50,
    "grpc.max_reconnect_backoff_ms": 500,
  });
}

export type CallResult<T> = { ok: true; value: T } | { ok: false; error: ServiceError };

/** A unary call with a deadline; resolves with the response or the error (never rejects). */
export function call<T = Record<string, unknown>>(
  client: Client,
  method: string,
  request: object,
  timeoutMs = 3000,
): Promise<CallResult<T>> {
  const fn = (client as unknown as Record<string, unknown>)[method];
  if (typeof fn !== "function") throw new Error(`no method ${method}`);
  return new Promise((resolve) => {
    fn.call(client, request, { deadline: Date.now() + timeoutMs }, (err: ServiceError | null, res: T) =>
      resolve(err ? { ok: false, error: err } : { ok: true, value: res }),
    );
  });
}

/** Bytes of a UTF-8 string, as the raw client sends keys and values. */
export const b = (s: string): Buffer => Buffer.from(s, "utf8");

/**
 * A writer that puts unique keys `${prefix}-${i}` round-robin over `endpoints` until
 * stopped, recording every put the cluster acknowledged.
 */
export class Writer {
  readonly acked: string[] = [];
  failures = 0;
  private stopped = false;
  private readonly clients: Client[];
  readonly done: Promise<void>;

  constructor(
    readonly prefix: string,
    endpoints: readonly string[],
    pauseMs = 5,
  ) {
    this.clients = endpoints.map((e) => grpcClient(e, "KV"));
    this.done = this.loop(pauseMs);
  }

  private async loop(pauseMs: number): Promise<void> {
    let at = 0;
    for (let i = 0; !this.stopped; i++) {
      const key = `${this.prefix}-${String(i).padStart(6, "0")}`;
      const client = this.clients[at % this.clients.length]!;
      const r = await call(client, "Put", { key: b(key), value: b(`v${i}`) }, 2000);
      if (r.ok) this.acked.push(key);
      else {
        this.failures++;
        at++; // try the next member
      }
      await new Promise((res) => setTimeout(res, pauseMs));
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.done;
    for (const c of this.clients) c.close();
  }
}

/** Reads every key under `prefix` from `endpoint` (linearizable); returns the key names. */
export async function keysUnder(endpoint: string, prefix: string): Promise<Set<string>> {
  const kv = grpcClient(endpoint, "KV");
  try {
    const end = Buffer.from(prefix, "utf8");
    end[end.length - 1]!++;
    const r = await call<{ kvs: Array<{ key: Buffer }> }>(
      kv,
      "Range",
      { key: b(prefix), range_end: end, keys_only: true },
      10_000,
    );
    if (!r.ok) throw new Error(`range ${prefix} on ${endpoint}: ${r.error.message}`);
    return new Set(r.value.kvs.map((x) => x.key.toString("utf8")));
  } finally {
    kv.close();
  }
}
