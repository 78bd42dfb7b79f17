/**
 * The gRPC edge of apipb.Resources: decodes the envelope, calls the handlers, and turns an
 * ApiError (or anything thrown) into a status with `flotilla-reason` and
 * `flotilla-causes`. No handler logic lives here. Watch is handed to the watch cache's
 * stream server.
 */
import type { handleServerStreamingCall, ServerUnaryCall, sendUnaryData } from "@grpc/grpc-js";
import type { ResourcesHandlers } from "../../../proto/generated/flotilla/apipb/Resources.js";
import type { WatchEvent } from "../../../proto/generated/flotilla/apipb/WatchEvent.js";
import type { WatchRequest__Output } from "../../../proto/generated/flotilla/apipb/WatchRequest.js";
import { ApiError, grpcStatusOf } from "./api-error.js";
import { deleteObject } from "./delete-handler.js";
import { encodeResponse, type HandlerContext } from "./handler-context.js";
import { getObject, listObjects } from "./read-handlers.js";
import { createObject, patchObject, updateObject } from "./write-handlers.js";

/** The Watch RPC (served by the watch cache). */
export type WatchHandler = handleServerStreamingCall<WatchRequest__Output, WatchEvent>;

/** Called with every request that failed for a reason other than the client's (for logs and metrics). */
export type ServerFailureHook = (method: string, err: unknown) => void;

/** The implementation of apipb.Resources over the handlers. */
export function resourcesService(
  ctx: HandlerContext,
  watch: WatchHandler,
  onFailure?: ServerFailureHook,
): ResourcesHandlers {
  return {
    Create: unary("Create", onFailure, async (r) => ({
      object: encodeResponse(await createObject(ctx, r.kind, r.namespace, r.object)),
    })),
    Get: unary("Get", onFailure, async (r) => ({
      object: encodeResponse(
        await getObject(ctx, {
          kind: r.kind,
          namespace: r.namespace,
          name: r.name,
          resourceVersion: r.resource_version,
        }),
      ),
    })),
    List: unary("List", onFailure, async (r) => {
      const limit = Number(r.limit);
      const out = await listObjects(ctx, {
        kind: r.kind,
        namespace: r.namespace,
        labelSelector: r.label_selector,
        fieldSelector: r.field_selector,
        limit,
        continueToken: r.continue,
        resourceVersion: r.resource_version,
        resourceVersionMatch: r.resource_version_match,
      });
      return {
        items: out.items.map(encodeResponse),
        resource_version: out.resourceVersion,
        continue: out.continueToken,
        remaining_item_count: out.remainingItemCount,
      };
    }),
    Update: unary("Update", onFailure, async (r) => ({
      object: encodeResponse(await updateObject(ctx, r.kind, r.namespace, r.object, "main")),
    })),
    UpdateStatus: unary("UpdateStatus", onFailure, async (r) => ({
      object: encodeResponse(await updateObject(ctx, r.kind, r.namespace, r.object, "status")),
    })),
    Patch: unary("Patch", onFailure, async (r) => ({
      object: encodeResponse(await patchObject(ctx, r.kind, r.namespace, r.name, r.patch)),
    })),
    Delete: unary("Delete", onFailure, async (r) => ({
      object: encodeResponse(
        await deleteObject(ctx, {
          kind: r.kind,
          namespace: r.namespace,
          name: r.name,
          uid: r.preconditions?.uid ?? "",
          resourceVersion: r.preconditions?.resource_version ?? "",
        }),
      ),
    })),
    Watch: watch,
  };
}

/** Reasons that are the server's trouble, not the client's: reported to the failure hook. */
const SERVER_REASONS = new Set(["InternalError"]);

function unary<Req, Res>(
  method: string,
  onFailure: ServerFailureHook | undefined,
  fn: (req: Req) => Promise<Res>,
): (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => void {
  return (call, callback) => {
    fn(call.request).then(
      (res) => callback(null, res),
      (err: unknown) => {
        if (!(err instanceof ApiError) || SERVER_REASONS.has(err.reason)) onFailure?.(method, err);
        callback(grpcStatusOf(err));
      },
    );
  };
}
