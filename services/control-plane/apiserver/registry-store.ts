/**
 * The storage layer of the API server: objects as JSON under /registry keys, written with
 * compare-and-swap transactions through Raft, as Kubernetes' etcd3 store does.
 *
 * The stored bytes never hold metadata.resourceVersion: an object's resourceVersion is the
 * mod_revision of its key, filled in on every read. So a resourceVersion can never disagree
 * with the revision it names, and a write needs no second pass to stamp it.
 *
 * Outcomes a caller expects (the key exists already, the revision moved) are values; only
 * backend failures (no leader, timeout, too many requests) reject, already as ApiErrors.
 */
import type { ApiObject } from "../../../libs/api/index.js";
import {
  type Compare,
  type KeyValue,
  prefixEnd,
  type RequestOp,
  type TxnResult,
  utf8,
} from "../../../libs/mvcc/index.js";
import type { EtcdBackend } from "../etcd/index.js";
import { ApiError } from "./api-error.js";
import { apiErrorOfBackend } from "./backend-errors.js";

/** One object as read from the store. `object.metadata.resourceVersion` = String(modRevision). */
export interface StoredObject {
  readonly key: string;
  readonly modRevision: number;
  readonly object: ApiObject;
}

export interface RegistryStoreOptions {
  /** Largest encoded object accepted (etcd's --max-request-bytes). @default 1572864 */
  objectBytesMax?: number;
}

/** etcd's default request size bound, which every stored object must fit. */
export const DEFAULT_OBJECT_BYTES_MAX = 1.5 * 1024 * 1024;

export type CreateOutcome =
  | { readonly kind: "created"; readonly stored: StoredObject }
  | { readonly kind: "exists" }
  /** One of the keys that had to exist (the namespace) does not. */
  | { readonly kind: "missing"; readonly key: string };

export type UpdateOutcome =
  | { readonly kind: "updated"; readonly stored: StoredObject }
  /** The key is gone or its mod_revision moved; `current` is what is there now. */
  | { readonly kind: "conflict"; readonly current: StoredObject | undefined };

export type DeleteOutcome =
  | { readonly kind: "deleted"; readonly revision: number }
  | { readonly kind: "conflict"; readonly current: StoredObject | undefined }
  /** A prefix that had to be empty holds `count` keys. */
  | { readonly kind: "notEmpty"; readonly prefix: string; readonly count: number };

/** One chunk of a prefix scan at a fixed revision. */
export interface RangeChunk {
  readonly kvs: readonly KeyValue[];
  /** The revision read at. */
  readonly revision: number;
  /** Keys in [start, end) at that revision, before the limit. */
  readonly count: number;
  readonly more: boolean;
}

const decoder = new TextDecoder("utf-8", { fatal: true });

export class RegistryStore {
  readonly objectBytesMax: number;

  constructor(
    private readonly backend: EtcdBackend,
    options: RegistryStoreOptions = {},
  ) {
    this.objectBytesMax = options.objectBytesMax ?? DEFAULT_OBJECT_BYTES_MAX;
  }

  /** The store's current revision on this master. */
  get revision(): number {
    return this.backend.store.currentRevision;
  }

  /** Waits until this master has applied everything committed when the call began (ReadIndex). */
  async sync(): Promise<void> {
    try {
      await this.backend.readIndex();
    } catch (e) {
      throw apiErrorOfBackend(e);
    }
  }

  /** The object at `key` on this master's replica now (a serializable read). */
  readLocal(key: string): StoredObject | undefined {
    return this.readAt(key, 0);
  }

  /** The object at `key` as of `revision` (0 = now); Expired when compacted. */
  readAt(key: string, revision: number): StoredObject | undefined {
    const out = this.backend.store.range({ key: utf8(key), revision });
    if (!out.ok) throw apiErrorOfBackend(out.error);
    const kv = out.value.range.kvs[0];
    return kv === undefined ? undefined : decodeStored(kv);
  }

  /** A linearizable read: what a quorum has committed, as of this call. */
  async readLinearizable(key: string): Promise<StoredObject | undefined> {
    await this.sync();
    return this.readLocal(key);
  }

  /**
   * Keys in [start, end) at `revision` (0 = now), at most `limit` (0 = all). Expired when
   * the revision was compacted, Timeout when it is in the future.
   */
  rangeChunk(start: string, end: string, revision: number, limit: number): RangeChunk {
    const out = this.backend.store.range({ key: utf8(start), rangeEnd: utf8(end), revision, limit });
    if (!out.ok) throw apiErrorOfBackend(out.error);
    const { kvs, count, more } = out.value.range;
    return { kvs, count, more, revision: revision > 0 ? revision : out.value.header.revision };
  }

  /** Creates `key` unless it exists; each of `mustExist` must exist at the same revision. */
  async create(key: string, object: ApiObject, mustExist: readonly string[] = []): Promise<CreateOutcome> {
    const bytes = this.encode(object);
    const compare: Compare[] = [
      { key: utf8(key), target: "create", createRevision: 0, result: "equal" },
      ...mustExist.map(
        (k): Compare => ({ key: utf8(k), target: "create", createRevision: 0, result: "greater" }),
      ),
    ];
    const failure: RequestOp[] = [key, ...mustExist].map((k) => ({
      type: "range",
      range: { key: utf8(k), countOnly: true },
    }));
    const { revision, txn } = await this.txn(
      compare,
      [{ type: "put", put: { key: utf8(key), value: bytes } }],
      failure,
    );
    if (txn.succeeded) return { kind: "created", stored: stored(key, revision, object) };
    if (rangeCount(txn, 0) > 0) return { kind: "exists" };
    const missing = mustExist.findIndex((_, i) => rangeCount(txn, i + 1) === 0);
    return { kind: "missing", key: mustExist[missing] ?? key };
  }

  /** Replaces `key` if its mod_revision is still `expectedModRevision`. */
  async update(key: string, object: ApiObject, expectedModRevision: number): Promise<UpdateOutcome> {
    const bytes = this.encode(object);
    const { revision, txn } = await this.txn(
      [{ key: utf8(key), target: "mod", modRevision: expectedModRevision, result: "equal" }],
      [{ type: "put", put: { key: utf8(key), value: bytes } }],
      [{ type: "range", range: { key: utf8(key) } }],
    );
    if (txn.succeeded) return { kind: "updated", stored: stored(key, revision, object) };
    return { kind: "conflict", current: currentOf(txn) };
  }

  /**
   * Deletes `key` if its mod_revision is still `expectedModRevision` and every prefix of
   * `mustBeEmpty` holds no key (checked in the same transaction, so no create slips in).
   */
  async delete(
    key: string,
    expectedModRevision: number,
    mustBeEmpty: readonly string[] = [],
  ): Promise<DeleteOutcome> {
    const compare: Compare[] = [
      { key: utf8(key), target: "mod", modRevision: expectedModRevision, result: "equal" },
      ...mustBeEmpty.map(
        (p): Compare => ({
          key: utf8(p),
          rangeEnd: prefixEnd(utf8(p)),
          target: "create",
          createRevision: 0,
          result: "equal",
        }),
      ),
    ];
    const failure: RequestOp[] = [
      { type: "range", range: { key: utf8(key) } },
      ...mustBeEmpty.map(
        (p): RequestOp => ({
          type: "range",
          range: { key: utf8(p), rangeEnd: prefixEnd(utf8(p)), countOnly: true },
        }),
      ),
    ];
    const { revision, txn } = await this.txn(
      compare,
      [{ type: "deleteRange", deleteRange: { key: utf8(key) } }],
      failure,
    );
    if (txn.succeeded) return { kind: "deleted", revision };
    const current = currentOf(txn);
    if (current === undefined || current.modRevision !== expectedModRevision)
      return { kind: "conflict", current };
    for (let i = 0; i < mustBeEmpty.length; i++) {
      const count = rangeCount(txn, i + 1);
      if (count > 0) return { kind: "notEmpty", prefix: mustBeEmpty[i]!, count };
    }
    return { kind: "conflict", current };
  }

  /** The bytes stored for `object`: JSON without metadata.resourceVersion; RequestEntityTooLarge past the bound. */
  encode(object: ApiObject): Uint8Array {
    const { resourceVersion: _rv, ...metadata } = object.metadata;
    const bytes = utf8(JSON.stringify({ ...object, metadata }));
    if (bytes.length > this.objectBytesMax) {
      const name = object.metadata.name ?? object.metadata.generateName ?? "";
      throw new ApiError(
        "RequestEntityTooLarge",
        `Request entity too large: ${object.kind} "${name}" is ${bytes.length} bytes encoded, limit is ${this.objectBytesMax}`,
      );
    }
    return bytes;
  }

  private async txn(
    compare: readonly Compare[],
    success: readonly RequestOp[],
    failure: readonly RequestOp[],
  ): Promise<{ revision: number; txn: TxnResult }> {
    let result: Awaited<ReturnType<EtcdBackend["propose"]>>;
    try {
      result = await this.backend.propose({ type: "txn", txn: { compare, success, failure } });
    } catch (e) {
      throw apiErrorOfBackend(e);
    }
    if (result.kind === "rejected") throw apiErrorOfBackend(result.error);
    if (result.kind !== "applied" || result.response.type !== "txn")
      throw new ApiError("InternalError", `unexpected result of a registry transaction: ${result.kind}`);
    return { revision: result.response.header.revision, txn: result.response.txn };
  }
}

/** Decodes a stored kv; InternalError (naming the key) when the bytes are not an object's JSON. */
export function decodeStored(kv: KeyValue): StoredObject {
  const key = decoder.decode(kv.key);
  let parsed: unknown;
  try {
    parsed = JSON.parse(decoder.decode(kv.value));
  } catch (e) {
    throw new ApiError("InternalError", `the value stored at ${key} is not valid JSON`, [], { cause: e });
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    throw new ApiError("InternalError", `the value stored at ${key} is not a JSON object`);
  const obj = parsed as ApiObject;
  const metadata = typeof obj.metadata === "object" && obj.metadata !== null ? obj.metadata : {};
  const object: ApiObject = { ...obj, metadata: { ...metadata, resourceVersion: String(kv.modRevision) } };
  return { key, modRevision: kv.modRevision, object };
}

function stored(key: string, revision: number, object: ApiObject): StoredObject {
  return {
    key,
    modRevision: revision,
    object: { ...object, metadata: { ...object.metadata, resourceVersion: String(revision) } },
  };
}

function rangeCount(txn: TxnResult, i: number): number {
  const r = txn.responses[i];
  return r?.type === "range" ? r.range.count : 0;
}

function currentOf(txn: TxnResult): StoredObject | undefined {
  const r = txn.responses[0];
  const kv = r?.type === "range" ? r.range.kvs[0] : undefined;
  return kv === undefined ? undefined : decodeStored(kv);
}

/** The end of a prefix scan as a string key (registry keys are ASCII). */
export function prefixEndKey(prefix: string): string {
  return decoder.decode(prefixEnd(utf8(prefix)));
}
