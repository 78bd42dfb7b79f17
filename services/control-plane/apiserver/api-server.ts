/**
 * The API server of one master, assembled: the storage layer over the master's backend, the
 * watch cache over its replica, the apipb.Resources service (served by the master on its
 * client gRPC port beside the etcd services), and the system namespaces' bootstrap.
 * Transports are the caller's: this returns a service to add to a gRPC server and a hook for
 * an HTTP server, so the same assembly runs in a master and in tests.
 */
import type { Server as HttpServer } from "node:http";
import type { ServiceDefinition, UntypedServiceImplementation } from "@grpc/grpc-js";
import { type FlotillaProtos, loadProtos } from "../../../proto/load.js";
import type { EtcdBackend } from "../etcd/index.js";
import { type BootstrapOptions, ensureNamespaces } from "./bootstrap.js";
import { type HandlerContext, type HandlerOptions, handlerContext } from "./handler-context.js";
import { RegistryStore } from "./registry-store.js";
import { resourcesService, type ServerFailureHook } from "./resources-service.js";
import {
  attachWatchWebSocket,
  type ServeGrpcWatchOptions,
  serveGrpcWatch,
  WatchCache,
  type WatchCacheOptions,
  type WatchWebSocketOptions,
} from "./watch-cache/index.js";

export interface ApiServerOptions {
  readonly backend: EtcdBackend;
  /** Already loaded protos, to share one parse. @default loadProtos() */
  readonly protos?: FlotillaProtos;
  /** Largest encoded object stored (etcd's --max-request-bytes). @default 1572864 */
  readonly objectBytesMax?: number;
  readonly handlers?: HandlerOptions;
  readonly watchCache?: WatchCacheOptions;
  /** Options of the gRPC Watch stream server. @default its defaults */
  readonly grpcWatch?: ServeGrpcWatchOptions;
  /** Options of the WebSocket /watch endpoint. @default its defaults */
  readonly webSocketWatch?: WatchWebSocketOptions;
  /** Requests that failed for the server's reasons (internal errors). */
  readonly onFailure?: ServerFailureHook;
}

export interface ApiServer {
  /** apipb.Resources: add it to the master's client gRPC server (EtcdServerOptions.extraServices). */
  readonly service: {
    readonly definition: ServiceDefinition<UntypedServiceImplementation>;
    readonly implementation: UntypedServiceImplementation;
  };
  /** The watch cache, started; its stats are for /metrics. */
  readonly cache: WatchCache;
  /** The handlers' shared state (for in-process callers and tests). */
  readonly context: HandlerContext;
  /** Serves the WebSocket `/watch` endpoint on an HTTP server (upgrade requests to /watch). */
  attachWebSocket(server: HttpServer): void;
  /**
   * Creates the system namespaces (default, kube-system, kube-public, kube-node-lease) unless
   * they exist, retrying while there is no leader; resolves with those it created. `close`
   * aborts it.
   */
  bootstrap(options?: Omit<BootstrapOptions, "signal">): Promise<string[]>;
  /**
   * Stops any bootstrap in progress and the cache (ending every watch stream with
   * ServiceUnavailable), then closes the WebSocket endpoints. Idempotent.
   */
  close(): Promise<void>;
}

/** Builds and starts the API server of a master (the watch cache starts following the store now). */
export function startApiServer(options: ApiServerOptions): ApiServer {
  const protos = options.protos ?? loadProtos();
  const store = new RegistryStore(options.backend, { objectBytesMax: options.objectBytesMax });
  const cache = new WatchCache(options.backend.store, options.watchCache);
  cache.start();
  const context = handlerContext(store, cache, options.handlers);
  const implementation = resourcesService(
    context,
    (call) => serveGrpcWatch(call, cache, options.grpcWatch),
    options.onFailure,
  );
  const aborter = new AbortController();
  const sockets: Array<{ close(): Promise<void> }> = [];
  let closing: Promise<void> | undefined;
  return {
    service: { definition: protos.apipb.Resources.service, implementation },
    cache,
    context,
    attachWebSocket(server) {
      sockets.push(attachWatchWebSocket(server, cache, options.webSocketWatch));
    },
    bootstrap: (o = {}) => ensureNamespaces(context, { ...o, signal: aborter.signal }),
    close() {
      closing ??= (async () => {
        aborter.abort(new Error("the API server is stopping"));
        cache.stop();
        await Promise.all(sockets.map((s) => s.close()));
      })();
      return closing;
    },
  };
}
