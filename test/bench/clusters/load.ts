/**
 * The load generator shared by the benchmarks: C closed-loop clients (each sends one request,
 * waits for the answer, sends the next) over a set of gRPC connections spread round-robin
 * over the cluster's endpoints. 8-byte keys, 256-byte values.
 *
 * It runs either in the benchmark's own process or split over P forked processes
 * (`--load-procs`), each with its own event loop; the benchmark merges their results. This
 * file is also the entry of those forked processes (argument `--load-worker`).
 *
 * Why one forked process by default: a grpc-js unary call costs the client ~150-200 µs of
 * CPU, so one event loop saturates near 4-5k requests/s (its utilization is reported as
 * "load ELU"). In the benchmark's own process it costs the same CPU (the orchestrator is idle
 * during a phase) but shares a heap and event loop with the timers that police the servers;
 * a separate process keeps those apart and lets its CPU be measured on its own. Two
 * processes lift the client ceiling but, on two cores, take that CPU from the servers.
 */
import { type ChildProcess, fork } from "node:child_process";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { errorName, type KvClient, kvClient, put, range } from "./grpc.js";
import type { ProcessGroup } from "./processes.js";

export const KEY_BYTES = 8;
export const VALUE_BYTES = 256;
/** Keys are "k" + 7 decimal digits, so the key space is at most 10^7. */
const KEY_SPACE_MAX = 10_000_000;
/** Pause after a failed request, so an instantly failing server is not hammered in a spin. */
const ERROR_PAUSE_MS = 10;

/** What a phase sends, in the order bench:kv runs them (puts first: ranges read what they wrote). */
export const PHASE_KINDS = ["put", "range-linearizable", "range-serializable"] as const;
export type PhaseKind = (typeof PHASE_KINDS)[number];

/** `name` as a phase kind, or an error naming the command-line `flag` it came from. */
export function parsePhaseKind(name: string, flag: string): PhaseKind {
  const kind = PHASE_KINDS.find((k) => k === name);
  if (kind === undefined)
    throw new Error(`unknown phase "${name}" in --${flag} (use ${PHASE_KINDS.join(", ")})`);
  return kind;
}

export interface ConnectSpec {
  readonly endpoints: readonly string[];
  /** Clients in this generator. */
  readonly clients: number;
  /** Global id of this generator's first client (clients are numbered across generators). */
  readonly firstClient: number;
  readonly totalClients: number;
  /** Distinct HTTP/2 connections in this generator, spread round-robin over the endpoints. */
  readonly conns: number;
}

export interface PhaseSpec {
  readonly kind: PhaseKind;
  readonly seconds: number;
  /** Bound on requests issued by this generator in the phase. */
  readonly requestsMax: number;
  readonly deadlineMs: number;
  readonly keySpace: number;
  /** Ranges read keys in [0, keysWritten). */
  readonly keysWritten: number;
}

export interface PhaseResult {
  readonly ok: number;
  readonly errors: Record<string, number>;
  /** Latencies of successful requests, ms, unsorted. */
  readonly latenciesMs: Float64Array;
  readonly seconds: number;
  /** CPU seconds the generator's process used during the phase. */
  readonly cpuSeconds: number;
  /** Fraction of the phase the generator's event loop was busy (1 = saturated). */
  readonly eventLoopUtilization: number;
}

export function keyOf(i: number): Buffer {
  return Buffer.from(`k${String(i % KEY_SPACE_MAX).padStart(KEY_BYTES - 1, "0")}`);
}

/** C closed-loop clients in this process. */
export class LoadGenerator {
  private readonly conns: KvClient[];
  private readonly value = Buffer.alloc(VALUE_BYTES, 0x61);

  constructor(private readonly spec: ConnectSpec) {
    this.conns = Array.from({ length: Math.max(1, spec.conns) }, (_, j) =>
      kvClient(spec.endpoints[(spec.firstClient + j) % spec.endpoints.length]!, true),
    );
  }

  /** One serializable read per connection, so connection setup is not measured. */
  async warmUp(deadlineMs: number): Promise<void> {
    await Promise.all(this.conns.map((c) => range(c, keyOf(0), true, deadlineMs)));
  }

  async run(phase: PhaseSpec): Promise<PhaseResult> {
    const latencies = new Float64Array(phase.requestsMax);
    const errors: Record<string, number> = {};
    let issued = 0;
    let ok = 0;
    const cpu0 = process.cpuUsage();
    const elu0 = performance.eventLoopUtilization();
    const t0 = performance.now();
    const end = t0 + phase.seconds * 1000;
    const readable = Math.max(1, Math.min(phase.keySpace, phase.keysWritten));

    const client = async (local: number): Promise<void> => {
      const conn = this.conns[local % this.conns.length]!;
      const global = this.spec.firstClient + local;
      let n = 0;
      while (issued < phase.requestsMax && performance.now() < end) {
        issued++;
        const start = performance.now();
        const err =
          phase.kind === "put"
            ? await put(
                conn,
                keyOf((global + n * this.spec.totalClients) % phase.keySpace),
                this.value,
                phase.deadlineMs,
              )
            : await range(
                conn,
                keyOf(Math.floor(Math.random() * readable)),
                phase.kind === "range-serializable",
                phase.deadlineMs,
              );
        n++;
        if (err === null) latencies[ok++] = performance.now() - start;
        else {
          const name = errorName(err);
          errors[name] = (errors[name] ?? 0) + 1;
          await new Promise((r) => setTimeout(r, ERROR_PAUSE_MS));
        }
      }
    };
    await Promise.all(Array.from({ length: this.spec.clients }, (_, i) => client(i)));

    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    return {
      ok,
      errors,
      latenciesMs: latencies.slice(0, ok),
      seconds,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      eventLoopUtilization: performance.eventLoopUtilization(elu0).utilization,
    };
  }

  close(): void {
    for (const c of this.conns) c.close();
  }
}

/** Where the benchmark's clients live: here, or in forked processes. Same interface. */
export interface LoadRunner {
  /** Processes the load runs in (0 = the benchmark's own process). */
  readonly processes: number;
  run(phase: PhaseSpec): Promise<PhaseResult[]>;
  close(): void;
}

/** Splits `spec.clients` and `spec.conns` over `processes` generators (0 = in this process). */
export async function startLoad(
  spec: Omit<ConnectSpec, "firstClient" | "totalClients">,
  processes: number,
  group: ProcessGroup,
  warmUpDeadlineMs: number,
): Promise<LoadRunner> {
  if (processes === 0) {
    const gen = new LoadGenerator({ ...spec, firstClient: 0, totalClients: spec.clients });
    await gen.warmUp(warmUpDeadlineMs);
    return { processes: 0, run: async (p) => [await gen.run(p)], close: () => gen.close() };
  }
  const workers: ForkedGenerator[] = [];
  let first = 0;
  for (let i = 0; i < processes; i++) {
    const clients = share(spec.clients, processes, i);
    const conns = Math.max(1, share(spec.conns, processes, i));
    workers.push(
      new ForkedGenerator(group, { ...spec, clients, conns, firstClient: first, totalClients: spec.clients }),
    );
    first += clients;
  }
  await Promise.all(workers.map((w) => w.request({ type: "warmUp", deadlineMs: warmUpDeadlineMs }, 60_000)));
  return {
    processes,
    run: (p) =>
      Promise.all(
        workers.map(
          (w) =>
            w.request(
              { type: "run", phase: { ...p, requestsMax: Math.ceil(p.requestsMax / processes) } },
              (p.seconds + 30) * 1000 + p.deadlineMs,
            ) as Promise<PhaseResult>,
        ),
      ),
    close: () => {
      for (const w of workers) w.close();
    },
  };
}

function share(total: number, parts: number, i: number): number {
  return Math.floor(total / parts) + (i < total % parts ? 1 : 0);
}

type WorkerMessage =
  | { type: "init"; spec: ConnectSpec }
  | { type: "warmUp"; deadlineMs: number }
  | { type: "run"; phase: PhaseSpec };

const THIS_FILE = fileURLToPath(import.meta.url);
const PROJECT_ROOT = join(dirname(THIS_FILE), "..", "..", "..");

/** A generator in a forked node process; one request at a time, answered in order. */
class ForkedGenerator {
  private readonly child: ChildProcess;
  private pending: { resolve: (v: unknown) => void; reject: (e: Error) => void } | undefined;

  constructor(group: ProcessGroup, spec: ConnectSpec) {
    this.child = fork(THIS_FILE, ["--load-worker"], {
      cwd: PROJECT_ROOT,
      execArgv: ["--import", "tsx"],
      serialization: "advanced",
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    group.adopt(this.child);
    this.child.on("message", (m) => {
      const p = this.pending;
      this.pending = undefined;
      p?.resolve(m);
    });
    this.child.on("exit", (code, signal) => {
      this.pending?.reject(new Error(`load generator process exited (code ${code}, signal ${signal})`));
      this.pending = undefined;
    });
    this.child.send({ type: "init", spec } satisfies WorkerMessage);
  }

  request(msg: WorkerMessage, timeoutMs: number): Promise<unknown> {
    if (this.pending) throw new Error("load generator busy");
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending = undefined;
        reject(new Error(`load generator gave no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending = {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      this.child.send(msg);
    });
  }

  close(): void {
    if (this.child.exitCode === null) this.child.kill("SIGKILL");
  }
}

/** Entry of a forked generator: init, then answer warmUp and run requests until killed. */
function workerMain(): void {
  let gen: LoadGenerator | undefined;
  // Dies with its parent: a forked generator must never outlive the benchmark.
  process.on("disconnect", () => process.exit(0));
  process.on("message", (raw) => {
    const msg = raw as WorkerMessage;
    switch (msg.type) {
      case "init":
        gen = new LoadGenerator(msg.spec);
        return;
      case "warmUp":
        void gen!.warmUp(msg.deadlineMs).then(() => process.send!({ type: "ok" }));
        return;
      case "run":
        void gen!.run(msg.phase).then((r) => process.send!(r));
        return;
    }
  });
}

if (process.argv.includes("--load-worker") && process.send) workerMain();
