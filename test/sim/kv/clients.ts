import {
  type KeyValue,
  type LeaseId,
  latin1ToBytes,
  type MvccStore,
  NO_LEASE,
} from "../../../libs/mvcc/index.js";
import type { NodeId } from "../../../libs/raft/index.js";
import {
  type CallHandle,
  type HistoryRecorder,
  type KvInput,
  type KvOutput,
  kv,
  kvModel,
  kvOut,
  UNKNOWN,
  type Unknown,
} from "../../linearizability/index.js";
import type { SimNode } from "../node.js";
import type { SimRng } from "../sim-rng.js";
import type { Workload, WorkloadContext } from "../workload/workload.js";
import { commandOf, getOutput, LEASE_TTL_SEC, writeOutput } from "./kv-commands.js";
import type { MvccStateMachine } from "./mvcc-state-machine.js";
import type { KvTime, Requests } from "./requests.js";

export interface KvClientsConfig {
  readonly clients: number;
  /** Chance per step that an idle client starts an operation. */
  readonly opRate: number;
  /** The keys of plain operations (lease keys are made up as leases are used). */
  readonly keys: readonly string[];
  /** Lease keys per lease, at most. */
  readonly leaseKeysMax: number;
}

/** A test-only fault: the revision a node's linearizable reads are served at (undefined: current). */
export type ReadRevisionHook = (node: NodeId, store: MvccStore) => number | undefined;

export interface KvClientsDeps {
  readonly requests: Requests;
  readonly recorder: HistoryRecorder<KvInput, KvOutput>;
  readonly time: KvTime;
  sm(id: NodeId): MvccStateMachine | undefined;
  /** Judges a serializable (local) read of `key` at `node`, whose store was at `revision`. */
  checkSerializable(node: NodeId, key: string, kv: KeyValue | undefined, revision: number): void;
  readonly readRevision?: ReadRevisionHook;
  trace(text: string): void;
}

export interface KvClientCounters {
  puts: number;
  deletes: number;
  cas: number;
  reads: number;
  serializableReads: number;
  leaseGrants: number;
  leasePuts: number;
  leaseRevokes: number;
  compactions: number;
  compactionsApplied: number;
}

interface LeaseFlow {
  readonly id: LeaseId;
  readonly keys: string[];
  putsLeft: number;
}

interface Client {
  readonly id: number;
  busy: boolean;
  seq: number;
  /** The client's last knowledge of each key: what a compare-and-swap expects. */
  readonly known: Map<string, string | null>;
  lease: LeaseFlow | undefined;
}

/**
 * K sequential clients (one operation outstanding each) against random live nodes: put,
 * delete, compare-and-swap (etcd txn), linearizable get (ReadIndex on the node asked),
 * serializable get (local, judged against the reference history, not recorded), a lease
 * flow (grant, puts with the lease, revoke), and compactions. Values are unique per write.
 * Checked operations go to the history recorder with call and return times.
 */
export class KvClients implements Workload {
  readonly counters: KvClientCounters = {
    puts: 0,
    deletes: 0,
    cas: 0,
    reads: 0,
    serializableReads: 0,
    leaseGrants: 0,
    leasePuts: 0,
    leaseRevokes: 0,
    compactions: 0,
    compactionsApplied: 0,
  };
  private readonly clients: Client[];
  /** Every key an operation touched: the final reads read them all. Lease keys are appended. */
  readonly allKeys: string[];

  constructor(
    private readonly cfg: KvClientsConfig,
    private readonly deps: KvClientsDeps,
    private readonly rng: SimRng,
  ) {
    this.clients = Array.from({ length: cfg.clients }, (_, i) => ({
      id: i + 1,
      busy: false,
      seq: 0,
      known: new Map(),
      lease: undefined,
    }));
    this.allKeys = [...cfg.keys];
  }

  step(ctx: WorkloadContext): void {
    for (const c of this.clients) {
      if (c.busy || !this.rng.chance(this.cfg.opRate)) continue;
      const nodes = ctx.cluster.active();
      if (nodes.length === 0) return;
      this.act(c, this.rng.pick(nodes));
    }
  }

  private act(c: Client, node: SimNode): void {
    if (c.lease !== undefined) {
      this.leaseStep(c, c.lease, node);
      return;
    }
    const r = this.rng.next();
    const key = this.rng.pick(this.cfg.keys);
    if (r < 0.26) this.write(c, node, kv.put(key, this.value(c)));
    else if (r < 0.36) this.write(c, node, kv.delete(key));
    else if (r < 0.54) this.write(c, node, kv.cas(key, c.known.get(key) ?? null, this.value(c)));
    else if (r < 0.8) this.read(c, node, this.readKey());
    else if (r < 0.92) this.serializableRead(node, this.readKey());
    else if (r < 0.97) this.grant(c, node);
    else this.compact(c, node);
  }

  private value(c: Client): string {
    return `v${c.id}.${c.seq++}`;
  }

  /** Mostly plain keys; sometimes a lease key, so lease puts and revokes are read too. */
  private readKey(): string {
    const leaseKeys = this.allKeys.length - this.cfg.keys.length;
    if (leaseKeys > 0 && this.rng.chance(0.2))
      return this.allKeys[this.cfg.keys.length + this.rng.intn(leaseKeys)]!;
    return this.rng.pick(this.cfg.keys);
  }

  private write(c: Client, node: SimNode, input: KvInput, lease = NO_LEASE): boolean {
    const { recorder, time } = this.deps;
    this.count(input, lease);
    const h = recorder.call(c.id, input, time.now());
    const what = `client ${c.id} ${describe(input, UNKNOWN).replace(/ -> unknown$/, "")}${lease !== NO_LEASE ? ` lease ${lease}` : ""} via n${node.id}`;
    c.busy = true;
    const sent = this.deps.requests.propose(node, c.id, commandOf(input, lease), {
      answered: (a) => {
        c.busy = false;
        const out = writeOutput(input, a.result);
        if (out === "noEffect") recorder.fail(h);
        else {
          recorder.complete(h, out, time.now());
          this.learn(c, input, out);
        }
        this.deps.trace(
          `${what} @${a.index}: ${out === "noEffect" ? "rejected" : describe(input, out).split(" -> ")[1]}`,
        );
      },
      lost: (why) => {
        c.busy = false;
        c.known.delete(input.key);
        this.deps.trace(`${what}: outcome unknown (${why})`);
      },
    });
    if (!sent) {
      recorder.fail(h);
      c.busy = false;
      this.deps.trace(`${what}: refused`);
    }
    return sent;
  }

  private count(input: KvInput, lease: LeaseId): void {
    const k = this.counters;
    if (lease !== NO_LEASE) k.leasePuts++;
    else if (input.kind === "put") k.puts++;
    else if (input.kind === "delete") k.deletes++;
    else if (input.kind === "cas") k.cas++;
  }

  private learn(c: Client, input: KvInput, out: KvOutput): void {
    if (input.kind === "put") c.known.set(input.key, input.value);
    else if (input.kind === "delete") c.known.set(input.key, null);
    else if (input.kind === "cas" && out.kind === "cas") {
      if (out.succeeded) c.known.set(input.key, input.value);
      else c.known.delete(input.key);
    }
  }

  private read(c: Client, node: SimNode, key: string): void {
    const { recorder, time } = this.deps;
    this.counters.reads++;
    const h = recorder.call(c.id, kv.get(key), time.now());
    c.busy = true;
    this.deps.requests.readIndex(node, {
      answered: (store, id) => {
        c.busy = false;
        const out = getOutput(readAt(store, key, this.deps.readRevision?.(id, store)));
        recorder.complete(h, out, time.now());
        if (out.kind === "get") c.known.set(key, out.value);
        this.deps.trace(
          `client ${c.id} ${describe(kv.get(key), out)} via n${id} (revision ${store.currentRevision})`,
        );
      },
      lost: (why) => {
        c.busy = false;
        this.deps.trace(`client ${c.id} get(${JSON.stringify(key)}) via n${node.id}: lost (${why})`);
      },
    });
  }

  private serializableRead(node: SimNode, key: string): void {
    const sm = this.deps.sm(node.id);
    if (sm === undefined) return;
    this.counters.serializableReads++;
    const store = sm.store;
    this.deps.checkSerializable(node.id, key, readAt(store, key, undefined), store.currentRevision);
  }

  private grant(c: Client, node: SimNode): void {
    this.counters.leaseGrants++;
    c.busy = true;
    const sent = this.deps.requests.propose(
      node,
      c.id,
      { type: "leaseGrant", leaseGrant: { id: NO_LEASE, ttlSec: LEASE_TTL_SEC } },
      {
        answered: (a) => {
          c.busy = false;
          const r = a.result;
          if (r.kind === "applied" && r.response.type === "leaseGrant") {
            const putsLeft = 1 + this.rng.intn(this.cfg.leaseKeysMax);
            c.lease = { id: r.response.leaseGrant.id, keys: [], putsLeft };
          }
        },
        lost: () => {
          c.busy = false;
        },
      },
    );
    if (!sent) c.busy = false;
  }

  /** Puts the lease's keys one by one, then revokes it. */
  private leaseStep(c: Client, flow: LeaseFlow, node: SimNode): void {
    if (flow.putsLeft > 0) {
      flow.putsLeft--;
      const key = `/l/${c.id}.${c.seq}`;
      if (this.write(c, node, kv.put(key, this.value(c)), flow.id)) {
        flow.keys.push(key);
        this.allKeys.push(key);
      }
      return;
    }
    this.revoke(c, flow, node);
  }

  /**
   * A revoke deletes the lease's keys in one revision. It is recorded as one delete per key
   * the client attached; whether each was deleted is the store's answer (the keys attached
   * to the lease when the revoke applied on the node asked).
   */
  private revoke(c: Client, flow: LeaseFlow, node: SimNode): void {
    const { recorder, time } = this.deps;
    this.counters.leaseRevokes++;
    const handles: Array<[string, CallHandle]> = flow.keys.map((k) => [
      k,
      recorder.call(c.id, kv.delete(k), time.now()),
    ]);
    c.busy = true;
    const sent = this.deps.requests.propose(
      node,
      c.id,
      { type: "leaseRevoke", leaseRevoke: { id: flow.id } },
      {
        answered: (a) => {
          c.busy = false;
          c.lease = undefined;
          const r = a.result;
          if (r.kind !== "applied") {
            for (const [, h] of handles) recorder.fail(h);
            return;
          }
          const revoked = new Set(a.revokedKeys);
          const t = time.now();
          for (const [k, h] of handles) {
            recorder.complete(h, kvOut.delete(revoked.has(k) ? 1 : 0, r.response.header.revision), t);
            c.known.set(k, null);
          }
        },
        lost: () => {
          c.busy = false;
          c.lease = undefined;
        },
      },
    );
    if (!sent) {
      // Refused outright: nothing happened; the client tries the revoke again on its next turn.
      for (const [, h] of handles) recorder.fail(h);
      c.busy = false;
    }
  }

  private compact(c: Client, node: SimNode): void {
    const store = this.deps.sm(node.id)?.store;
    if (store === undefined) return;
    const revision = store.currentRevision - this.rng.range(0, 20);
    if (revision < 2 || revision <= store.compactRevision) return;
    this.counters.compactions++;
    c.busy = true;
    const sent = this.deps.requests.propose(
      node,
      c.id,
      { type: "compact", compact: { revision } },
      {
        answered: (a) => {
          c.busy = false;
          if (a.result.kind === "applied") this.counters.compactionsApplied++;
        },
        lost: () => {
          c.busy = false;
        },
      },
    );
    if (!sent) c.busy = false;
  }
}

function describe(input: KvInput, output: KvOutput | Unknown): string {
  return kvModel.describeOperation?.(input, output) ?? input.kind;
}

/** The key's kv in `store` at `revision` (undefined: the current one). */
export function readAt(store: MvccStore, key: string, revision: number | undefined): KeyValue | undefined {
  const r = store.range(
    revision === undefined ? { key: latin1ToBytes(key) } : { key: latin1ToBytes(key), revision },
  );
  if (!r.ok) throw new Error(`local read of ${key} failed: ${r.error.message}`);
  return r.value.range.kvs[0];
}
