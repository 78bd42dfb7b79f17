import {
  type CheckOptions,
  type CheckResult,
  checkHistory,
  type History,
  type KvInput,
  type KvOutput,
  kvModel,
  kvStoreModel,
  type Operation,
  UNKNOWN,
} from "./index.js";

/**
 * Test fixtures: history builders and a reference sequential store that produces histories
 * linearizable by construction. The reference store is written independently of the models
 * so that property tests compare two implementations, not one with itself.
 */

export type KvOp = Operation<KvInput, KvOutput>;

export type KvCheck = (
  history: History<KvInput, KvOutput>,
  options?: CheckOptions,
) => CheckResult<KvInput, KvOutput>;

/** Both KV models behind one signature, for tests that must hold for each. */
export const KV_CHECKS: readonly (readonly [string, KvCheck])[] = [
  ["per-key model", (h, o) => checkHistory(kvModel, h, o)],
  ["whole-store model", (h, o) => checkHistory(kvStoreModel, h, o)],
];

export function op(
  clientId: number,
  callTime: number,
  returnTime: number,
  input: KvInput,
  output: KvOutput,
): KvOp {
  return { clientId, input, output, callTime, returnTime };
}

export function unknownOp(clientId: number, callTime: number, input: KvInput): KvOp {
  return { clientId, input, output: UNKNOWN, callTime, returnTime: Number.POSITIVE_INFINITY };
}

/** An etcd-like map with a store-wide revision, applied one operation at a time. */
export class ReferenceStore {
  private readonly data = new Map<string, { value: string; modRevision: number }>();
  private revision = 0;

  apply(input: KvInput): KvOutput {
    const cur = this.data.get(input.key);
    switch (input.kind) {
      case "get":
        return cur === undefined
          ? { kind: "get", value: null }
          : { kind: "get", value: cur.value, modRevision: cur.modRevision };
      case "put":
        this.revision++;
        this.data.set(input.key, { value: input.value, modRevision: this.revision });
        return { kind: "put", revision: this.revision };
      case "delete":
        if (cur === undefined) return { kind: "delete", deleted: 0 };
        this.revision++;
        this.data.delete(input.key);
        return { kind: "delete", deleted: 1, revision: this.revision };
      case "cas":
        if ((cur?.value ?? null) !== input.expected) return { kind: "cas", succeeded: false };
        this.revision++;
        this.data.set(input.key, { value: input.value, modRevision: this.revision });
        return { kind: "cas", succeeded: true, revision: this.revision };
      default: {
        const never: never = input;
        throw new Error(`unhandled ${JSON.stringify(never)}`);
      }
    }
  }
}

/**
 * One planned operation: it takes effect at `point` (or never, for a lost unknown-outcome
 * request), and its client saw the interval [point - before, point + after], or
 * [point - before, inf) when `unknown`.
 */
export interface PlannedOp {
  readonly clientId: number;
  readonly input: KvInput;
  readonly point: number;
  readonly before: number;
  readonly after: number;
  readonly unknown: boolean;
  /** Only for unknown ops: false means the request was lost and never applied. */
  readonly applied: boolean;
}

/** Runs the plan through the reference store in order of `point`, recording what clients saw. */
export function runPlan(plan: readonly PlannedOp[]): KvOp[] {
  const store = new ReferenceStore();
  const order = plan.map((_, i) => i).sort((a, b) => plan[a]!.point - plan[b]!.point);
  const outputs = new Map<number, KvOutput>();
  for (const i of order) {
    const p = plan[i]!;
    if (!p.unknown || p.applied) outputs.set(i, store.apply(p.input));
  }
  return plan.map((p, i) =>
    p.unknown
      ? unknownOp(p.clientId, p.point - p.before, p.input)
      : op(p.clientId, p.point - p.before, p.point + p.after, p.input, outputs.get(i)!),
  );
}

/** Options of `randomKvHistory`. */
export interface RandomKvHistoryOptions {
  readonly seed: number;
  readonly operations: number;
  readonly keys: number;
  readonly clients: number;
  /** Longest request latency in ticks. */
  readonly latencyMax: number;
  /** Fraction of requests that time out with an unknown outcome (half of them applied). */
  readonly unknownFraction: number;
}

/**
 * A simulator-like history: each client issues requests one after another; each takes effect
 * at a random point inside its interval. Seeded, so a benchmark sees the same history each run.
 */
export function randomKvHistory(o: RandomKvHistoryOptions): KvOp[] {
  const rand = mulberry32(o.seed);
  const int = (n: number): number => Math.floor(rand() * n);
  const clientFreeAt = new Array<number>(o.clients).fill(0);
  const plan: PlannedOp[] = [];
  for (let i = 0; i < o.operations; i++) {
    const clientId = int(o.clients);
    const call = clientFreeAt[clientId]! + 1 + int(3);
    const latency = 1 + int(o.latencyMax);
    // Fractional points keep effects strictly ordered and strictly inside the interval.
    const point = call + rand() * latency;
    const unknown = rand() < o.unknownFraction;
    clientFreeAt[clientId] = call + latency;
    const key = `k${int(o.keys)}`;
    const r = rand();
    const input: KvInput =
      r < 0.4
        ? { kind: "get", key }
        : r < 0.75
          ? { kind: "put", key, value: `v${i}` }
          : r < 0.85
            ? { kind: "delete", key }
            : { kind: "cas", key, expected: r < 0.92 ? null : `v${int(i + 1)}`, value: `v${i}` };
    plan.push({
      clientId,
      input,
      point,
      before: point - call,
      after: call + latency - point,
      unknown,
      applied: rand() < 0.5,
    });
  }
  return runPlan(plan);
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
