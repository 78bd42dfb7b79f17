/**
 * A real gRPC Resources server over any {@link ResourceApi} (usually a shared
 * {@link FakeResourceApi}, standing for the replicated store): several of them on loopback
 * behave like several masters of one cluster, so ApiClient failover and informers can be
 * tested over real sockets without the master process. Test support, not production code.
 */
import {
  Metadata,
  Server,
  ServerCredentials,
  type ServerUnaryCall,
  type ServerWritableStream,
  type sendUnaryData,
  status,
} from "@grpc/grpc-js";
import { type FlotillaProtos, loadProtos } from "../../proto/load.js";
import { ApiStatusError, CAUSES_METADATA_KEY, REASON_METADATA_KEY, toApiStatusError } from "./errors.js";
import type { RawWatch, ResourceApi } from "./resource-api.js";

/** A started server; `address` is "127.0.0.1:PORT". */
export interface FakeGrpcServer {
  readonly address: string;
  /** Closes every connection at once, as a killed master would. */
  kill(): void;
}

export interface FakeGrpcServerOptions {
  /** @default loadProtos() */
  readonly protos?: FlotillaProtos;
  /** Port to listen on (to restart a "master" on its address). @default 0 (any free port) */
  readonly port?: number;
  /** Consulted before each unary call: an error to answer with instead (e.g. no leader). */
  readonly intercept?: (method: string) => ApiStatusError | undefined;
}

function statusOf(err: unknown): { code: status; details: string; metadata: Metadata } {
  const e = toApiStatusError(err);
  const metadata = new Metadata();
  if (e.reason !== "") metadata.set(REASON_METADATA_KEY, e.reason);
  if (e.causes.length > 0) metadata.set(CAUSES_METADATA_KEY, JSON.stringify(e.causes));
  return { code: e.code, details: e.message, metadata };
}

/** Starts a Resources server on 127.0.0.1 (an ephemeral port) that answers from `api`. */
export async function serveFakeResources(
  api: ResourceApi,
  options: FakeGrpcServerOptions = {},
): Promise<FakeGrpcServer> {
  const protos = options.protos ?? loadProtos();
  const server = new Server();
  const unary =
    (method: string, fn: (req: object) => Promise<unknown>) =>
    (call: ServerUnaryCall<object, unknown>, callback: sendUnaryData<unknown>): void => {
      const injected = options.intercept?.(method);
      if (injected !== undefined) {
        callback(statusOf(injected));
        return;
      }
      fn(call.request).then(
        (res) => callback(null, res),
        (err: unknown) => callback(statusOf(err)),
      );
    };
  const object = (p: Promise<Buffer>) => p.then((object) => ({ object }));
  server.addService(protos.apipb.Resources.service, {
    Create: unary("Create", (req) => object(api.create(req))),
    Get: unary("Get", (req) => object(api.get(req))),
    Update: unary("Update", (req) => object(api.update(req))),
    UpdateStatus: unary("UpdateStatus", (req) => object(api.updateStatus(req))),
    Patch: unary("Patch", (req) => object(api.patch(req))),
    Delete: unary("Delete", (req) => object(api.delete(req))),
    List: unary("List", async (req) => {
      const page = await api.list(req);
      return {
        items: page.items,
        resource_version: page.resourceVersion,
        continue: page.continue,
        remaining_item_count: page.remainingItemCount,
      };
    }),
    Watch: (call: ServerWritableStream<object, unknown>) => {
      const injected = options.intercept?.("Watch");
      if (injected !== undefined) {
        call.emit("error", statusOf(injected));
        return;
      }
      const watch: RawWatch = api.watch(call.request);
      call.on("cancelled", () => watch.close());
      void (async () => {
        try {
          for await (const ev of watch) call.write({ type: ev.type, object: ev.object });
          call.end();
        } catch (err) {
          call.emit("error", statusOf(err));
        }
      })();
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`127.0.0.1:${options.port ?? 0}`, ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  return { address: `127.0.0.1:${port}`, kill: () => server.forceShutdown() };
}

/** The status a master without a leader answers with. */
export function noLeaderError(): ApiStatusError {
  return new ApiStatusError(status.UNAVAILABLE, "ServiceUnavailable", "no leader");
}
