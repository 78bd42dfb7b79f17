/**
 * Writers for the failover benchmark: W loops of puts, each with a short per-request
 * deadline, moving to the next endpoint after a failure. They record the completion time of
 * every successful put together with its start time, so the benchmark can ask "when did the
 * first write that was *issued after* the kill succeed".
 */
import { performance } from "node:perf_hooks";
import { type KvClient, kvClient, put } from "./grpc.js";
import { keyOf, VALUE_BYTES } from "./load.js";

/** Pause after a failure before retrying elsewhere, so instant failures do not spin. */
const RETRY_PAUSE_MS = 5;

export interface WriterOptions {
  readonly endpoints: readonly string[];
  readonly writers: number;
  readonly deadlineMs: number;
  /** Bound on puts per writer over the writers' whole life. */
  readonly putsMax: number;
}

export class Writers {
  /** Per writer: [issuedAt, doneAt] of successful puts, ms on performance.now(), in order. */
  readonly successes: Array<Array<readonly [number, number]>>;
  failures = 0;
  private stopped = false;
  private readonly loops: Promise<void>[];
  private readonly clients: KvClient[][];

  constructor(private readonly o: WriterOptions) {
    this.successes = Array.from({ length: o.writers }, () => []);
    // Each writer has its own connection to every endpoint, so one writer's broken
    // connection (to the killed member) is not shared with the others.
    this.clients = Array.from({ length: o.writers }, () => o.endpoints.map((e) => kvClient(e, true)));
    this.loops = Array.from({ length: o.writers }, (_, w) => this.loop(w));
  }

  private async loop(w: number): Promise<void> {
    const value = Buffer.alloc(VALUE_BYTES, 0x62);
    const mine = this.clients[w]!;
    let endpoint = w % mine.length;
    for (let n = 0; n < this.o.putsMax && !this.stopped; n++) {
      const issuedAt = performance.now();
      const err = await put(mine[endpoint]!, keyOf(w * 1000 + (n % 1000)), value, this.o.deadlineMs);
      if (err === null) {
        this.successes[w]!.push([issuedAt, performance.now()]);
      } else {
        this.failures++;
        endpoint = (endpoint + 1) % mine.length;
        await new Promise((r) => setTimeout(r, RETRY_PAUSE_MS));
      }
    }
  }

  /** Successful puts so far, all writers. */
  get okCount(): number {
    return this.successes.reduce((n, s) => n + s.length, 0);
  }

  /** Per writer, the completion time of its first success issued at or after `t`; NaN if none. */
  firstSuccessAfter(t: number): number[] {
    return this.successes.map((s) => s.find(([issued]) => issued >= t)?.[1] ?? Number.NaN);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.loops);
    for (const cs of this.clients) for (const c of cs) c.close();
  }
}
