/**
 * Operations of the etcd-like key-value store, as a simulator client records them.
 *
 * Revisions are optional in outputs: the models check every revision that is given and
 * nothing else, so a recorder that drops them gets a values-only check.
 */

export type KvInput =
  | { readonly kind: "put"; readonly key: string; readonly value: string }
  | { readonly kind: "get"; readonly key: string }
  | { readonly kind: "delete"; readonly key: string }
  /** etcd Txn: if value(key) == expected then put(key, value). `expected: null` means "absent". */
  | { readonly kind: "cas"; readonly key: string; readonly expected: string | null; readonly value: string };

export type KvOutput =
  /** `revision`: the header revision, which is the new modRevision of the key. */
  | { readonly kind: "put"; readonly revision?: number }
  /** `value: null` when the key is absent, in which case there is no modRevision either. */
  | { readonly kind: "get"; readonly value: string | null; readonly modRevision?: number }
  /** `revision` is only checked when something was deleted (otherwise etcd does not bump it). */
  | { readonly kind: "delete"; readonly deleted: number; readonly revision?: number }
  /** `revision` is only checked when the swap succeeded. */
  | { readonly kind: "cas"; readonly succeeded: boolean; readonly revision?: number };

/** Input builders, so call sites and tests read like client calls. */
export const kv = {
  put: (key: string, value: string): KvInput => ({ kind: "put", key, value }),
  get: (key: string): KvInput => ({ kind: "get", key }),
  delete: (key: string): KvInput => ({ kind: "delete", key }),
  cas: (key: string, expected: string | null, value: string): KvInput => ({
    kind: "cas",
    key,
    expected,
    value,
  }),
} as const;

/** Output builders matching `kv`. */
export const kvOut = {
  put: (revision?: number): KvOutput =>
    revision === undefined ? { kind: "put" } : { kind: "put", revision },
  get: (value: string | null, modRevision?: number): KvOutput =>
    modRevision === undefined ? { kind: "get", value } : { kind: "get", value, modRevision },
  delete: (deleted: number, revision?: number): KvOutput =>
    revision === undefined ? { kind: "delete", deleted } : { kind: "delete", deleted, revision },
  cas: (succeeded: boolean, revision?: number): KvOutput =>
    revision === undefined ? { kind: "cas", succeeded } : { kind: "cas", succeeded, revision },
} as const;
