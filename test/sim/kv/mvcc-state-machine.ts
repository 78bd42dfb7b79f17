import {
  type ApplyResult,
  type Command,
  decodeCommand,
  leaseId,
  MvccStore,
  type MvccStoreOptions,
} from "../../../libs/mvcc/index.js";
import type { Entry, Index, NodeId } from "../../../libs/raft/index.js";
import { hashBytes, utf8 } from "../hash.js";
import type { StateMachine } from "../state-machine.js";
import { type ClientEnvelope, decodeEnvelope } from "./envelope.js";

/** A client command a node's store applied (or found already applied). */
export interface AppliedCommand {
  readonly node: NodeId;
  readonly index: Index;
  readonly envelope: ClientEnvelope;
  /** Undefined when the command did not decode (the store rejects it). */
  readonly command: Command | undefined;
  readonly result: ApplyResult;
  /** For a lease revoke: the keys (latin1) attached to the lease just before it applied. */
  readonly revokedKeys: readonly string[];
}

/** Told of every entry a store applies, in order, on every node. */
export interface StoreApplyListener {
  /** `command` is undefined for entries that carry none (a leader's empty entry, a conf change). */
  onApply(node: NodeId, entry: Entry, command: AppliedCommand | undefined): void;
}

export interface MvccStateMachineOptions {
  readonly store?: MvccStoreOptions;
  /** Chunk size of the store's snapshot stream: small, so snapshots span many chunks. @default 256 */
  readonly snapshotChunkBytes?: number;
  /** Chunk size a restore reads the snapshot in: not a divisor of the write size. @default 97 */
  readonly restoreChunkBytes?: number;
}

/**
 * The simulator's StateMachine over libs/mvcc: each node runs one MvccStore. Client commands
 * arrive in an envelope (envelope.ts); other entries only move the store's consistent index.
 * Apply is idempotent through the store's consistent index: an entry at or below it is
 * reported as already applied and changes nothing. Snapshots are the store's chunked
 * snapshot stream, concatenated (the simulated Raft snapshot carries one buffer) and read
 * back in differently sized chunks.
 */
export class MvccStateMachine implements StateMachine {
  private current: MvccStore;
  /** hashKv of the current revision, cached by (revision, compact revision); reset by restore. */
  private cachedKvHash: { key: string; hash: number } | undefined;
  /** Entries the store reported as already applied (replays). */
  replays = 0;
  /** Snapshots restored into this store (watchers on it live through them). */
  restores = 0;

  constructor(
    readonly node: NodeId,
    private readonly listener: StoreApplyListener | undefined,
    private readonly options: MvccStateMachineOptions = {},
  ) {
    this.current = new MvccStore(options.store);
  }

  /** The node's store: clients read it, watches hang on it. Replaced only by a fresh instance. */
  get store(): MvccStore {
    return this.current;
  }

  apply(entry: Entry): void {
    const env = entry.type === "normal" ? decodeEnvelope(entry.data) : undefined;
    if (env === undefined) {
      if (entry.index <= this.current.consistentIndex) this.replays++;
      this.current.markApplied(entry.index);
      this.listener?.onApply(this.node, entry, undefined);
      return;
    }
    const decoded = decodeCommand(env.command);
    const command = decoded.ok ? decoded.command : undefined;
    const revokedKeys = command?.type === "leaseRevoke" ? this.attachedKeys(command.leaseRevoke.id) : [];
    const result: ApplyResult =
      command === undefined
        ? this.current.applyEntry(entry.index, env.command)
        : this.current.apply(entry.index, command);
    if (result.kind === "alreadyApplied") this.replays++;
    this.listener?.onApply(this.node, entry, {
      node: this.node,
      index: entry.index,
      envelope: env,
      command,
      result,
      revokedKeys,
    });
  }

  /**
   * A replayed entry (at or below the store's consistent index): applied like any other, so
   * the store itself must recognise it as already applied and change nothing.
   */
  replay(entry: Entry): void {
    this.apply(entry);
  }

  snapshot(): Uint8Array {
    const chunks = [...this.current.snapshot(this.options.snapshotChunkBytes ?? 256)];
    let size = 0;
    for (const c of chunks) size += c.length;
    const out = new Uint8Array(size);
    let at = 0;
    for (const c of chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }

  /**
   * Replaces the state with a snapshot's; empty data (no snapshot yet) means the empty store.
   * Watchers on the store survive and resume from history, as the store promises.
   */
  restore(data: Uint8Array): void {
    this.cachedKvHash = undefined;
    if (data.length === 0) {
      if (this.current.consistentIndex === 0 && this.current.currentRevision === 1) return;
      this.current.restore(new MvccStore(this.options.store).snapshot());
      return;
    }
    this.current.restore(chunksOf(data, this.options.restoreChunkBytes ?? 97));
    this.restores++;
  }

  /**
   * The store's HashKV at its current revision, plus the revision, the compact revision, the
   * consistent index and a digest of the lease table (which HashKV leaves out).
   */
  hash(): string {
    const s = this.current;
    const leases = s.leaseIds();
    const leaseDigest = leases.length === 0 ? 0 : hashBytes(utf8(leases.join(",")));
    return `${this.kvHash().toString(16)}@r${s.currentRevision}/c${s.compactRevision}/i${s.consistentIndex}/l${leases.length}:${leaseDigest.toString(36)}`;
  }

  /** The store's HashKV at its current revision (cached until the revision or compaction moves). */
  kvHash(): number {
    const s = this.current;
    const key = `${s.currentRevision}/${s.compactRevision}`;
    if (this.cachedKvHash?.key !== key) {
      const h = s.hashKv(0);
      if (!h.ok) throw new Error(`hashKv at the current revision failed: ${h.error.message}`);
      this.cachedKvHash = { key, hash: h.value.hash };
    }
    return this.cachedKvHash.hash;
  }

  private attachedKeys(id: number): string[] {
    if (!Number.isSafeInteger(id) || id <= 0) return [];
    const ttl = this.current.lessor.timeToLive(leaseId(id), 0, true);
    if (ttl === undefined) return [];
    return ttl.keys.map((k) => String.fromCharCode(...k));
  }
}

function* chunksOf(data: Uint8Array, size: number): Generator<Uint8Array> {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, Math.min(data.length, i + size));
}
