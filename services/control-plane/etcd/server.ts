/**
 * The etcd v3 gRPC server of a master: KV, Watch, Lease, Cluster and Maintenance over one
 * backend. Auth is not served (grpc-js answers UNIMPLEMENTED).
 *
 * Sizes as etcd: gRPC accepts messages up to maxRequestBytes + 512 KiB, so a write a little
 * too large gets etcd's "request is too large" (INVALID_ARGUMENT) and a far larger message
 * gets grpc's RESOURCE_EXHAUSTED; undecodable bytes get INTERNAL from grpc-js. None of them
 * reaches a handler's logic, and the server keeps serving.
 */
import {
  type MethodDefinition,
  Server,
  ServerCredentials,
  type ServiceDefinition,
  type UntypedServiceImplementation,
} from "@grpc/grpc-js";
import { type FlotillaProtos, loadProtos } from "../../../proto/load.js";
import type { EtcdBackend } from "./backend.js";
import { clusterService } from "./cluster-service.js";
import type { ServiceContext } from "./context.js";
import { kvService } from "./kv-service.js";
import { DEFAULT_LEASE_LIMITS, type LeaseLimits, leaseService } from "./lease-service.js";
import {
  DEFAULT_MAINTENANCE_LIMITS,
  type MaintenanceLimits,
  maintenanceService,
} from "./maintenance-service.js";
import { DEFAULT_WATCH_LIMITS, type WatchLimits, watchService } from "./watch-service.js";

/** etcd's --max-request-bytes default. */
export const DEFAULT_MAX_REQUEST_BYTES = 1.5 * 1024 * 1024;
/** etcd's grpcOverheadBytes: room above maxRequestBytes before gRPC itself refuses a message. */
export const GRPC_OVERHEAD_BYTES = 512 * 1024;

export interface EtcdServerOptions {
  backend: EtcdBackend;
  /** @default "127.0.0.1" */
  host?: string;
  /** 0 picks a free port. @default 0 */
  port?: number;
  /** Largest write request accepted (etcd's --max-request-bytes). @default 1572864 */
  maxRequestBytes?: number;
  /** etcd's --max-txn-ops. @default 128 */
  maxTxnOps?: number;
  /** Server keepalive ping interval (etcd: 2 h). @default 7200000 */
  keepaliveTimeMs?: number;
  /** Time to wait for a keepalive ack before closing the connection (etcd: 20 s). @default 20000 */
  keepaliveTimeoutMs?: number;
  watch?: Partial<WatchLimits>;
  lease?: Partial<LeaseLimits>;
  maintenance?: Partial<MaintenanceLimits>;
  /** Already loaded protos, to share one parse. @default loadProtos() */
  protos?: FlotillaProtos;
  /**
   * More services served on the same port (the master's Flotilla API): clients reach a
   * master at one address for both the etcd API and the resource API.
   * @default []
   */
  extraServices?: readonly ExtraService[];
  /**
   * Wraps every service implementation before it is served (the master counts and times
   * calls this way). Must not change behaviour.
   * @default the implementation unchanged
   */
  instrument?: (
    definition: ServiceDefinition<UntypedServiceImplementation>,
    implementation: UntypedServiceImplementation,
  ) => UntypedServiceImplementation;
}

/** A gRPC service added beside the etcd ones. */
export interface ExtraService {
  readonly definition: ServiceDefinition<UntypedServiceImplementation>;
  readonly implementation: UntypedServiceImplementation;
}

export interface EtcdServer {
  /** The port bound (the chosen one when `port` was 0). */
  readonly port: number;
  /** host:port for clients. */
  readonly address: string;
  /** Stops accepting calls; ends open calls (watch streams) after `graceMs`. */
  close(graceMs?: number): Promise<void>;
}

/** Methods whose request goes into the Raft log, so is bounded by maxRequestBytes. */
const SIZED_KV_METHODS = ["Put", "DeleteRange", "Txn"];

export async function startEtcdServer(options: EtcdServerOptions): Promise<EtcdServer> {
  const protos = options.protos ?? loadProtos();
  const maxRequestBytes = options.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES;
  const oversized = new WeakSet<object>();
  const ctx: ServiceContext = {
    backend: options.backend,
    limits: { maxRequestBytes, maxTxnOps: options.maxTxnOps ?? 128 },
    isOversized: (req) => oversized.has(req),
  };

  const server = new Server({
    "grpc.max_receive_message_length": maxRequestBytes + GRPC_OVERHEAD_BYTES,
    "grpc.keepalive_time_ms": options.keepaliveTimeMs ?? 2 * 60 * 60 * 1000,
    "grpc.keepalive_timeout_ms": options.keepaliveTimeoutMs ?? 20_000,
    // Nothing reads channelz; tracking it costs two Date.now() and counters on every call.
    "grpc.enable_channelz": 0,
  });
  const instrument = options.instrument ?? ((_, impl) => impl);
  const serve = (
    definition: ServiceDefinition<UntypedServiceImplementation>,
    impl: UntypedServiceImplementation,
  ) => server.addService(definition, instrument(definition, impl));
  const etcd = protos.etcdserverpb;
  serve(measured(etcd.KV.service, SIZED_KV_METHODS, maxRequestBytes, oversized), kvService(ctx));
  serve(etcd.Watch.service, watchService(ctx, { ...DEFAULT_WATCH_LIMITS, ...options.watch }));
  serve(etcd.Lease.service, leaseService(ctx, { ...DEFAULT_LEASE_LIMITS, ...options.lease }));
  serve(etcd.Cluster.service, clusterService(ctx));
  serve(
    etcd.Maintenance.service,
    maintenanceService(ctx, { ...DEFAULT_MAINTENANCE_LIMITS, ...options.maintenance }),
  );
  for (const extra of options.extraServices ?? []) serve(extra.definition, extra.implementation);

  const host = options.host ?? "127.0.0.1";
  const hostPart = host.includes(":") ? `[${host}]` : host;
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${hostPart}:${options.port ?? 0}`, ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    );
  });

  return {
    port,
    address: `${hostPart}:${port}`,
    close: (graceMs = 1000) =>
      new Promise<void>((resolve) => {
        const force = setTimeout(() => server.forceShutdown(), graceMs);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      }),
  };
}

/**
 * The service with the named methods' decoders wrapped to remember which requests arrived
 * larger than `maxBytes`: the handler refuses those with etcd's "request is too large".
 */
function measured(
  service: ServiceDefinition<UntypedServiceImplementation>,
  methods: readonly string[],
  maxBytes: number,
  oversized: WeakSet<object>,
): ServiceDefinition<UntypedServiceImplementation> {
  const out: Record<string, MethodDefinition<object, object>> = { ...service };
  for (const name of methods) {
    const def = service[name];
    if (def === undefined) throw new Error(`the KV service has no method ${name}`);
    out[name] = {
      ...def,
      requestDeserialize: (bytes: Buffer): object => {
        const msg = def.requestDeserialize(bytes) as object;
        if (bytes.length > maxBytes) oversized.add(msg);
        return msg;
      },
    };
  }
  return out as ServiceDefinition<UntypedServiceImplementation>;
}
