/**
 * Test support: a server on 127.0.0.1 with a fresh fake backend, and raw gRPC clients that
 * speak our loaded protos (to send what well-behaved clients never do).
 */
import { type Client, credentials, type ServiceError } from "@grpc/grpc-js";
import { type FlotillaProtos, loadProtos } from "../../../proto/load.js";
import type { Clock } from "./clock.js";
import { FakeBackend, type FakeBackendOptions } from "./fake-backend.js";
import { type EtcdServer, type EtcdServerOptions, startEtcdServer } from "./server.js";

let shared: FlotillaProtos | undefined;

export function protos(): FlotillaProtos {
  shared ??= loadProtos();
  return shared;
}

export interface FakeCluster {
  readonly backend: FakeBackend;
  readonly server: EtcdServer;
  /** "127.0.0.1:PORT" */
  readonly endpoint: string;
  close(): Promise<void>;
}

export async function startFakeCluster(
  options: { clock?: Clock; backend?: FakeBackendOptions; server?: Partial<EtcdServerOptions> } = {},
): Promise<FakeCluster> {
  const backend = new FakeBackend({ ...options.backend, ...(options.clock ? { clock: options.clock } : {}) });
  const server = await startEtcdServer({ protos: protos(), ...options.server, backend });
  backend.setClientUrls([`http://${server.address}`]);
  return {
    backend,
    server,
    endpoint: server.address,
    close: async () => {
      await server.close(100);
      backend.close();
    },
  };
}

export type RawService = "KV" | "Watch" | "Lease" | "Cluster" | "Maintenance";

/** A grpc-js client of one etcd service, built from our protos (loader options of proto/README.md). */
export function rawClient(endpoint: string, service: RawService): Client {
  const Ctor = protos().etcdserverpb[service];
  return new Ctor(endpoint, credentials.createInsecure());
}

/** Calls a unary method and resolves with the response or the ServiceError. */
export function callUnary<Res = Record<string, unknown>>(
  client: Client,
  method: string,
  request: object,
): Promise<{ ok: true; value: Res } | { ok: false; error: ServiceError }> {
  const fn = (client as unknown as Record<string, unknown>)[method];
  if (typeof fn !== "function") throw new Error(`no method ${method}`);
  return new Promise((resolve) => {
    fn.call(client, request, (err: ServiceError | null, res: Res) =>
      resolve(err ? { ok: false, error: err } : { ok: true, value: res }),
    );
  });
}
