/**
 * How an API failure is named on the wire, shared by the server (which sends it) and
 * libs/client (which reads it): Kubernetes' StatusReason in the trailing metadata key
 * `flotilla-reason`, and for Invalid the field errors as StatusCause JSON in
 * `flotilla-causes`. The gRPC code each reason travels with is listed in
 * proto/apipb/api.proto's header.
 */

/** Kubernetes' StatusReason values the API server uses. */
export type StatusReason =
  | "NotFound"
  | "AlreadyExists"
  | "Conflict"
  | "Invalid"
  | "Expired"
  | "Gone"
  | "RequestEntityTooLarge"
  | "BadRequest"
  | "Timeout"
  | "ServiceUnavailable"
  | "TooManyRequests"
  | "InternalError";

/** Trailing metadata key holding the StatusReason. */
export const REASON_METADATA_KEY = "flotilla-reason";
/** Trailing metadata key holding the field errors of an Invalid status, as JSON. */
export const CAUSES_METADATA_KEY = "flotilla-causes";

/** One field error as sent in `flotilla-causes`: Kubernetes' StatusCause. */
export interface StatusCause {
  readonly field: string;
  readonly reason: string;
  readonly message: string;
}
