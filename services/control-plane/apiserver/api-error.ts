/**
 * The API server's one error type, and how it crosses the wire. Handlers throw or reject
 * with ApiError; only the gRPC and WebSocket edges turn it into a status (see the header of
 * proto/apipb/api.proto for the codes). Kubernetes' reason travels beside the code in the
 * trailing metadata, so clients act on the reason (relist on Expired, retry on Conflict)
 * without parsing messages.
 */
import { Metadata, status } from "@grpc/grpc-js";
import {
  CAUSES_METADATA_KEY,
  type FieldError,
  fieldErrorReason,
  formatFieldError,
  REASON_METADATA_KEY,
  type StatusCause,
  type StatusReason,
} from "../../../libs/api/index.js";

export { CAUSES_METADATA_KEY, REASON_METADATA_KEY, type StatusCause, type StatusReason };

/** The gRPC code each reason is sent with. */
export const GRPC_CODE_OF_REASON: Readonly<Record<StatusReason, status>> = {
  NotFound: status.NOT_FOUND,
  AlreadyExists: status.ALREADY_EXISTS,
  Conflict: status.ABORTED,
  Invalid: status.INVALID_ARGUMENT,
  BadRequest: status.INVALID_ARGUMENT,
  RequestEntityTooLarge: status.INVALID_ARGUMENT,
  Expired: status.OUT_OF_RANGE,
  Gone: status.OUT_OF_RANGE,
  TooManyRequests: status.RESOURCE_EXHAUSTED,
  ServiceUnavailable: status.UNAVAILABLE,
  Timeout: status.DEADLINE_EXCEEDED,
  InternalError: status.INTERNAL,
};

export class ApiError extends Error {
  override readonly name = "ApiError";
  constructor(
    readonly reason: StatusReason,
    message: string,
    readonly causes: readonly FieldError[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /**
   * An Invalid error in Kubernetes' wording: `Pod "web" is invalid: spec.containers:
   * Required value, metadata.name: ...`.
   */
  static invalid(kind: string, name: string, errors: readonly FieldError[]): ApiError {
    const what = name === "" ? kind : `${kind} "${name}"`;
    return new ApiError("Invalid", `${what} is invalid: ${errors.map(formatFieldError).join(", ")}`, errors);
  }
}

/** What a gRPC handler passes to its callback (or `call.destroy`/`emit("error")`) for `err`. */
export interface GrpcStatusObject {
  readonly code: status;
  readonly details: string;
  readonly metadata: Metadata;
}

/** The status for any rejection: ApiError by its reason, anything else INTERNAL (message kept). */
export function grpcStatusOf(err: unknown): GrpcStatusObject {
  const apiError =
    err instanceof ApiError
      ? err
      : new ApiError("InternalError", err instanceof Error ? err.message : String(err), [], { cause: err });
  const metadata = new Metadata();
  metadata.set(REASON_METADATA_KEY, apiError.reason);
  if (apiError.causes.length > 0)
    metadata.set(CAUSES_METADATA_KEY, JSON.stringify(causesOf(apiError.causes)));
  return { code: GRPC_CODE_OF_REASON[apiError.reason], details: apiError.message, metadata };
}

export function causesOf(errors: readonly FieldError[]): StatusCause[] {
  return errors.map((e) => ({
    field: e.field,
    reason: fieldErrorReason(e.type),
    message: formatFieldError(e),
  }));
}
