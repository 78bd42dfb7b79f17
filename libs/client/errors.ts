/**
 * The one error type calls reject with. A gRPC status carries Kubernetes' reason in the
 * trailing metadata (`flotilla-reason`) and, for Invalid, the field errors as JSON
 * (`flotilla-causes`); callers branch on the reason with the helpers below instead of
 * parsing messages.
 */
import { type Metadata, status } from "@grpc/grpc-js";
import { CAUSES_METADATA_KEY, REASON_METADATA_KEY, type StatusCause } from "../api/index.js";

export { CAUSES_METADATA_KEY, REASON_METADATA_KEY, type StatusCause };

/** A failed call: the gRPC code, Kubernetes' reason ("" when the server sent none) and the causes. */
export class ApiStatusError extends Error {
  override readonly name = "ApiStatusError";
  constructor(
    /** The gRPC status code (`status` of @grpc/grpc-js). */
    readonly code: status,
    /** Kubernetes' StatusReason (NotFound, Conflict, Expired, ...); derived from the code when the server sent none. */
    readonly reason: string,
    message: string,
    readonly causes: readonly StatusCause[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The reason a status implies when the server did not say (e.g. a transport failure). */
const REASON_OF_CODE: Partial<Record<status, string>> = {
  [status.NOT_FOUND]: "NotFound",
  [status.ALREADY_EXISTS]: "AlreadyExists",
  [status.ABORTED]: "Conflict",
  [status.INVALID_ARGUMENT]: "BadRequest",
  [status.OUT_OF_RANGE]: "Expired",
  [status.RESOURCE_EXHAUSTED]: "TooManyRequests",
  [status.UNAVAILABLE]: "ServiceUnavailable",
  [status.DEADLINE_EXCEEDED]: "Timeout",
  [status.INTERNAL]: "InternalError",
};

/** What grpc-js rejects with: a status object with trailers. */
interface GrpcStatusLike {
  readonly code: number;
  readonly details?: string;
  readonly metadata?: Metadata;
}

function isGrpcStatus(err: unknown): err is GrpcStatusLike {
  return typeof err === "object" && err !== null && typeof (err as { code?: unknown }).code === "number";
}

/**
 * Whether the server itself chose the status (it sent `flotilla-reason`), as opposed to the
 * transport failing on the way.
 */
export function serverSentReason(err: unknown): boolean {
  return isGrpcStatus(err) && firstString(err.metadata, REASON_METADATA_KEY) !== undefined;
}

/** Any rejection as an {@link ApiStatusError}; anything without a gRPC code becomes UNKNOWN. */
export function toApiStatusError(err: unknown): ApiStatusError {
  if (err instanceof ApiStatusError) return err;
  if (!isGrpcStatus(err)) {
    const message = err instanceof Error ? err.message : String(err);
    return new ApiStatusError(status.UNKNOWN, "", message, [], { cause: err });
  }
  const code = err.code as status;
  const reason = firstString(err.metadata, REASON_METADATA_KEY) ?? REASON_OF_CODE[code] ?? "";
  const message = err.details !== undefined && err.details !== "" ? err.details : `gRPC status ${code}`;
  return new ApiStatusError(
    code,
    reason,
    message,
    parseCauses(firstString(err.metadata, CAUSES_METADATA_KEY)),
    {
      cause: err,
    },
  );
}

function firstString(metadata: Metadata | undefined, key: string): string | undefined {
  const value = metadata?.get(key)[0];
  if (value === undefined) return undefined;
  return typeof value === "string" ? value : value.toString("utf8");
}

/** The causes from `flotilla-causes`; malformed JSON yields none rather than hiding the status. */
export function parseCauses(json: string | undefined): StatusCause[] {
  if (json === undefined || json === "") return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return [];
  }
  if (!Array.isArray(parsed)) return [];
  const causes: StatusCause[] = [];
  for (const c of parsed) {
    if (typeof c !== "object" || c === null) continue;
    const { field, reason, message } = c as Record<string, unknown>;
    causes.push({
      field: typeof field === "string" ? field : "",
      reason: typeof reason === "string" ? reason : "",
      message: typeof message === "string" ? message : "",
    });
  }
  return causes;
}

function reasonIs(err: unknown, ...reasons: string[]): boolean {
  return err instanceof ApiStatusError && reasons.includes(err.reason);
}

/** The object does not exist (NOT_FOUND). */
export function isNotFound(err: unknown): boolean {
  return reasonIs(err, "NotFound");
}
/** A stale resourceVersion or a failed precondition (ABORTED): re-read and retry. */
export function isConflict(err: unknown): boolean {
  return reasonIs(err, "Conflict");
}
/** Create of a name that exists (ALREADY_EXISTS). */
export function isAlreadyExists(err: unknown): boolean {
  return reasonIs(err, "AlreadyExists");
}
/** The resourceVersion or continue token was compacted (OUT_OF_RANGE): relist. */
export function isExpired(err: unknown): boolean {
  return (
    reasonIs(err, "Expired", "Gone") || (err instanceof ApiStatusError && err.code === status.OUT_OF_RANGE)
  );
}
/** The object failed validation; `causes` names the fields. */
export function isInvalid(err: unknown): boolean {
  return reasonIs(err, "Invalid");
}
/** The server is shedding load or dropped a slow watcher (RESOURCE_EXHAUSTED): back off. */
export function isTooManyRequests(err: unknown): boolean {
  return reasonIs(err, "TooManyRequests");
}
