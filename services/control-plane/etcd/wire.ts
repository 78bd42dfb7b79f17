/**
 * The etcd v3 messages as handlers see them under proto/load.ts's LOADER_OPTIONS: field names
 * as in the .proto, 64-bit integers as decimal strings, enums by name, bytes as Buffers,
 * absent messages as null, and each oneof's set member named by the oneof field.
 *
 * Written by hand for the subset this folder uses, until proto types are generated. Request
 * shapes are what the decoder produces; response shapes are what the encoder accepts (numbers
 * for int64 fields that hold safe integers, strings for 64-bit ids).
 */

/** An int64/uint64 as decoded (always a string) or as given to the encoder. */
export type WireLong = string | number;

export interface WireHeader {
  readonly cluster_id: string;
  readonly member_id: string;
  readonly revision: number;
  readonly raft_term: number;
}

export interface WireKeyValue {
  readonly key: Uint8Array;
  readonly create_revision: number;
  readonly mod_revision: number;
  readonly version: number;
  readonly value: Uint8Array;
  readonly lease: number;
}

export interface WireRangeRequest {
  readonly key: Buffer;
  readonly range_end: Buffer;
  readonly limit: WireLong;
  readonly revision: WireLong;
  readonly sort_order: string | number;
  readonly sort_target: string | number;
  readonly serializable: boolean;
  readonly keys_only: boolean;
  readonly count_only: boolean;
  readonly min_mod_revision: WireLong;
  readonly max_mod_revision: WireLong;
  readonly min_create_revision: WireLong;
  readonly max_create_revision: WireLong;
}

export interface WireRangeResponse {
  readonly header: WireHeader;
  readonly kvs: readonly WireKeyValue[];
  readonly more: boolean;
  readonly count: number;
}

export interface WirePutRequest {
  readonly key: Buffer;
  readonly value: Buffer;
  readonly lease: WireLong;
  readonly prev_kv: boolean;
  readonly ignore_value: boolean;
  readonly ignore_lease: boolean;
}

export interface WirePutResponse {
  readonly header: WireHeader;
  readonly prev_kv: WireKeyValue | null;
}

export interface WireDeleteRangeRequest {
  readonly key: Buffer;
  readonly range_end: Buffer;
  readonly prev_kv: boolean;
}

export interface WireDeleteRangeResponse {
  readonly header: WireHeader;
  readonly deleted: number;
  readonly prev_kvs: readonly WireKeyValue[];
}

export interface WireCompare {
  readonly result: string | number;
  readonly target: string | number;
  readonly key: Buffer;
  readonly range_end: Buffer;
  /** The set member of `target_union`; undefined when none was sent. */
  readonly target_union?: "version" | "create_revision" | "mod_revision" | "value" | "lease";
  readonly version?: WireLong;
  readonly create_revision?: WireLong;
  readonly mod_revision?: WireLong;
  readonly value?: Buffer;
  readonly lease?: WireLong;
}

export interface WireRequestOp {
  readonly request?: "request_range" | "request_put" | "request_delete_range" | "request_txn";
  readonly request_range?: WireRangeRequest | null;
  readonly request_put?: WirePutRequest | null;
  readonly request_delete_range?: WireDeleteRangeRequest | null;
  readonly request_txn?: WireTxnRequest | null;
}

export interface WireTxnRequest {
  readonly compare: readonly WireCompare[];
  readonly success: readonly WireRequestOp[];
  readonly failure: readonly WireRequestOp[];
}

export type WireResponseOp =
  | { readonly response_range: WireRangeResponse }
  | { readonly response_put: WirePutResponse }
  | { readonly response_delete_range: WireDeleteRangeResponse }
  | { readonly response_txn: WireTxnResponse };

export interface WireTxnResponse {
  readonly header: WireHeader;
  readonly succeeded: boolean;
  readonly responses: readonly WireResponseOp[];
}

export interface WireCompactionRequest {
  readonly revision: WireLong;
  readonly physical: boolean;
}

export interface WireWatchCreateRequest {
  readonly key: Buffer;
  readonly range_end: Buffer;
  readonly start_revision: WireLong;
  readonly progress_notify: boolean;
  readonly filters: readonly (string | number)[];
  readonly prev_kv: boolean;
  readonly watch_id: WireLong;
  readonly fragment: boolean;
}

export interface WireWatchRequest {
  readonly request_union?: "create_request" | "cancel_request" | "progress_request";
  readonly create_request?: WireWatchCreateRequest | null;
  readonly cancel_request?: { readonly watch_id: WireLong } | null;
  readonly progress_request?: Record<string, never> | null;
}

export interface WireEvent {
  readonly type: "PUT" | "DELETE";
  readonly kv: WireKeyValue;
  readonly prev_kv: WireKeyValue | null;
}

export interface WireWatchResponse {
  readonly header: WireHeader;
  readonly watch_id: string;
  readonly created?: boolean;
  readonly canceled?: boolean;
  readonly compact_revision?: number;
  readonly cancel_reason?: string;
  readonly events?: readonly WireEvent[];
}

export interface WireMember {
  readonly ID: string;
  readonly name: string;
  readonly peerURLs: readonly string[];
  readonly clientURLs: readonly string[];
  readonly isLearner: boolean;
}
