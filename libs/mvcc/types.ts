/**
 * The vocabulary of the state machine, shaped after etcd's `mvccpb` and `etcdserverpb` so the
 * etcd v3 gRPC API maps onto it field for field.
 *
 * Revisions are plain numbers (safe integers): they are compared on every hot path and a brand
 * would force a cast at each. Lease ids are branded because a lease id passed where a
 * revision is expected (both are "some int64") silently attaches keys to the wrong lease.
 */
import type { MvccError } from "./errors.js";

/** A lease id. 0 means "no lease". Safe integers only: the gRPC edge rejects larger ids. */
export type LeaseId = number & { readonly __brand: "LeaseId" };

/** The id that means "not attached to any lease". */
export const NO_LEASE = 0 as LeaseId;

/** Brands a number as a lease id; throws RangeError on values a lease id can never take. */
export function leaseId(n: number): LeaseId {
  if (!Number.isSafeInteger(n) || n < 0)
    throw new RangeError(`lease id must be a non-negative safe integer, got ${n}`);
  return n as LeaseId;
}

/** One revision of one key, as etcd's mvccpb.KeyValue. Shared with the store: never mutate. */
export interface KeyValue {
  readonly key: Uint8Array;
  /** Revision of the put that created this generation of the key. 0 on a deletion. */
  readonly createRevision: number;
  /** Revision of the last change; on a deletion event, the revision of the delete. */
  readonly modRevision: number;
  /** 1 on creation, +1 per put; 0 on a deletion. */
  readonly version: number;
  readonly value: Uint8Array;
  readonly lease: LeaseId;
}

/** Expected outcome as a value: success with a payload, or one of the typed failures. */
export type Outcome<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: MvccError };

export type SortOrder = "none" | "ascend" | "descend";
export type SortTarget = "key" | "version" | "create" | "mod" | "value";

/**
 * etcd's RangeRequest. `rangeEnd` empty: the single key; `[0]`: every key >= key; otherwise
 * the half-open interval [key, rangeEnd). Filters and numbers of 0 mean "not set".
 */
export interface RangeRequest {
  readonly key: Uint8Array;
  readonly rangeEnd?: Uint8Array;
  /** Maximum number of kvs returned; 0 = no limit. `more` says whether some were left out. */
  readonly limit?: number;
  /** Read at this revision; <= 0 = the current revision. */
  readonly revision?: number;
  readonly sortOrder?: SortOrder;
  readonly sortTarget?: SortTarget;
  readonly keysOnly?: boolean;
  readonly countOnly?: boolean;
  readonly minModRevision?: number;
  readonly maxModRevision?: number;
  readonly minCreateRevision?: number;
  readonly maxCreateRevision?: number;
}

export interface RangeResult {
  readonly kvs: readonly KeyValue[];
  /** True when `limit` cut the result short. */
  readonly more: boolean;
  /** Number of keys in the range at the read revision, before filters and limit (as etcd). */
  readonly count: number;
}

export interface PutRequest {
  readonly key: Uint8Array;
  readonly value: Uint8Array;
  readonly lease?: LeaseId;
  readonly prevKv?: boolean;
  /** Keep the current value; the key must exist and `value` must be empty. */
  readonly ignoreValue?: boolean;
  /** Keep the current lease; the key must exist and `lease` must be 0. */
  readonly ignoreLease?: boolean;
}

export interface PutResult {
  readonly prevKv?: KeyValue;
}

export interface DeleteRangeRequest {
  readonly key: Uint8Array;
  readonly rangeEnd?: Uint8Array;
  readonly prevKv?: boolean;
}

export interface DeleteRangeResult {
  readonly deleted: number;
  /** The deleted kvs when `prevKv` was asked for, else empty. */
  readonly prevKvs: readonly KeyValue[];
}

export type CompareResult = "equal" | "greater" | "less" | "notEqual";

interface CompareBase {
  readonly key: Uint8Array;
  /** As in RangeRequest: every key of the range must satisfy the comparison. */
  readonly rangeEnd?: Uint8Array;
  readonly result: CompareResult;
}

/** etcd's Compare, its `target_union` as a discriminated union. */
export type Compare = CompareBase &
  (
    | { readonly target: "version"; readonly version: number }
    | { readonly target: "create"; readonly createRevision: number }
    | { readonly target: "mod"; readonly modRevision: number }
    | { readonly target: "value"; readonly value: Uint8Array }
    | { readonly target: "lease"; readonly lease: LeaseId }
  );

export type CompareTarget = Compare["target"];

export type RequestOp =
  | { readonly type: "range"; readonly range: RangeRequest }
  | { readonly type: "put"; readonly put: PutRequest }
  | { readonly type: "deleteRange"; readonly deleteRange: DeleteRangeRequest }
  | { readonly type: "txn"; readonly txn: TxnRequest };

export type ResponseOp =
  | { readonly type: "range"; readonly range: RangeResult }
  | { readonly type: "put"; readonly put: PutResult }
  | { readonly type: "deleteRange"; readonly deleteRange: DeleteRangeResult }
  | { readonly type: "txn"; readonly txn: TxnResult };

export interface TxnRequest {
  readonly compare: readonly Compare[];
  readonly success: readonly RequestOp[];
  readonly failure: readonly RequestOp[];
}

export interface TxnResult {
  readonly succeeded: boolean;
  readonly responses: readonly ResponseOp[];
}

export interface CompactRequest {
  readonly revision: number;
  /** Accepted for etcd compatibility; compaction here is always immediate. */
  readonly physical?: boolean;
}

export interface LeaseGrantRequest {
  /** The id to grant; 0 = derive one deterministically from the entry index. */
  readonly id: LeaseId;
  readonly ttlSec: number;
}

export interface LeaseGrantResult {
  readonly id: LeaseId;
  /** The granted TTL, raised to the store's minimum when asked for less. */
  readonly ttlSec: number;
}

export interface LeaseRevokeRequest {
  readonly id: LeaseId;
}

/** One replicated command: what a Raft entry's data decodes to. */
export type Command =
  | { readonly type: "range"; readonly range: RangeRequest }
  | { readonly type: "put"; readonly put: PutRequest }
  | { readonly type: "deleteRange"; readonly deleteRange: DeleteRangeRequest }
  | { readonly type: "txn"; readonly txn: TxnRequest }
  | { readonly type: "compact"; readonly compact: CompactRequest }
  | { readonly type: "leaseGrant"; readonly leaseGrant: LeaseGrantRequest }
  | { readonly type: "leaseRevoke"; readonly leaseRevoke: LeaseRevokeRequest };

export type CommandType = Command["type"];

/** etcd's ResponseHeader, reduced to what the state machine knows. */
export interface ResponseHeader {
  /** The store's revision after the command. */
  readonly revision: number;
}

/** What the etcd API returns for each command. */
export type CommandResponse =
  | { readonly type: "range"; readonly header: ResponseHeader; readonly range: RangeResult }
  | { readonly type: "put"; readonly header: ResponseHeader; readonly put: PutResult }
  | { readonly type: "deleteRange"; readonly header: ResponseHeader; readonly deleteRange: DeleteRangeResult }
  | { readonly type: "txn"; readonly header: ResponseHeader; readonly txn: TxnResult }
  | { readonly type: "compact"; readonly header: ResponseHeader }
  | { readonly type: "leaseGrant"; readonly header: ResponseHeader; readonly leaseGrant: LeaseGrantResult }
  | { readonly type: "leaseRevoke"; readonly header: ResponseHeader };

/** The result of applying one Raft entry. */
export type ApplyResult =
  | { readonly kind: "applied"; readonly index: number; readonly response: CommandResponse }
  /** Deterministic rejection: every member rejects the entry alike, and it counts as applied. */
  | { readonly kind: "rejected"; readonly index: number; readonly error: MvccError }
  /** index <= consistent index: the entry was applied before (replay after a restart). */
  | { readonly kind: "alreadyApplied"; readonly index: number };
