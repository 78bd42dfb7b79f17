/** Builders shared by the mvcc tests: a store that numbers its own entries, text keys. */
import { expect } from "vitest";
import {
  type Command,
  type CommandResponse,
  type KeyValue,
  type MvccError,
  MvccStore,
  type MvccStoreOptions,
  utf8,
} from "../index.js";

export const b = utf8;

export function text(bytes: Uint8Array): string {
  return new TextDecoder().decode(bytes);
}

/** A store plus the next Raft index, so tests read as a sequence of commands. */
export class TestStore {
  readonly store: MvccStore;
  index = 0;

  constructor(options?: MvccStoreOptions) {
    this.store = new MvccStore(options);
  }

  /** Applies and expects success. */
  ok<T extends CommandResponse["type"]>(cmd: Command & { type: T }): CommandResponse & { type: T } {
    const r = this.store.apply(++this.index, cmd);
    if (r.kind !== "applied")
      throw new Error(`expected applied, got ${r.kind}: ${r.kind === "rejected" ? r.error.message : ""}`);
    expect(r.response.type).toBe(cmd.type);
    return r.response as CommandResponse & { type: T };
  }

  /** Applies and expects a rejection; returns the error. */
  rejected(cmd: Command): MvccError {
    const r = this.store.apply(++this.index, cmd);
    if (r.kind !== "rejected") throw new Error(`expected rejected, got ${r.kind}`);
    return r.error;
  }

  put(key: string, value: string, extra: { lease?: number } = {}): number {
    return this.ok({
      type: "put",
      put: {
        key: b(key),
        value: b(value),
        ...(extra.lease !== undefined ? { lease: extra.lease as never } : {}),
      },
    }).header.revision;
  }

  del(key: string, rangeEnd?: string): number {
    return this.ok({
      type: "deleteRange",
      deleteRange: rangeEnd === undefined ? { key: b(key) } : { key: b(key), rangeEnd: b(rangeEnd) },
    }).header.revision;
  }

  /** Live keys (text) of a range at a revision. */
  keys(key: string, rangeEnd?: string, revision?: number): string[] {
    const r = this.store.range({
      key: b(key),
      ...(rangeEnd !== undefined ? { rangeEnd: b(rangeEnd) } : {}),
      ...(revision !== undefined ? { revision } : {}),
    });
    if (!r.ok) throw r.error;
    return r.value.range.kvs.map((kv) => text(kv.key));
  }

  get(key: string, revision?: number): KeyValue | undefined {
    const r = this.store.range({ key: b(key), ...(revision !== undefined ? { revision } : {}) });
    if (!r.ok) throw r.error;
    return r.value.range.kvs[0];
  }
}

/** Plain view of a kv for equality assertions. */
export function plain(kv: KeyValue | undefined): Record<string, unknown> | undefined {
  if (kv === undefined) return undefined;
  return {
    key: text(kv.key),
    value: text(kv.value),
    createRevision: kv.createRevision,
    modRevision: kv.modRevision,
    version: kv.version,
    lease: kv.lease,
  };
}
