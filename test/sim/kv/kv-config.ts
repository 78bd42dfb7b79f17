import { STREAM, streamRng } from "../sim-rng.js";
import type { KvClientsConfig } from "./clients.js";
import type { WatchStreamsConfig } from "./watch-streams.js";

/** Everything a seed decides about the store mode (its own stream: the rest of a run does not shift it). */
export interface KvConfig {
  readonly clients: KvClientsConfig;
  /** Steps a client waits for an answer before its operation's outcome is unknown. */
  readonly timeoutSteps: number;
  readonly watches: WatchStreamsConfig;
  /** Events a watcher may hold unpolled before its hub moves it to catch-up (small: exercised). */
  readonly queueEventsMax: number;
  /** Linearizability search budget per key. */
  readonly searchStepsMax: number;
}

export function makeKvConfig(seed: number, electionSteps: number, faultSteps: number): KvConfig {
  const rng = streamRng(seed, STREAM.kvClients, 1);
  const keyCount = rng.range(2, 8);
  return {
    clients: {
      clients: rng.range(3, 10),
      opRate: rng.range(10, 50) / 100,
      keys: Array.from({ length: keyCount }, (_, i) => `/k/${i}`),
      leaseKeysMax: 3,
    },
    timeoutSteps: rng.range(2, 6) * electionSteps,
    watches: {
      streams: rng.range(2, 5),
      pollResponsesMax: rng.pick([1, 2, 4, 16]),
      syncChangesMax: rng.pick([4, 16, 64]),
      resumeRate: rng.range(1, 10) / 1000,
      reattachDelaySteps: rng.range(1, electionSteps),
      faultSteps,
    },
    queueEventsMax: rng.pick([2, 8, 64, 1024]),
    searchStepsMax: 200_000,
  };
}

export function describeKvConfig(c: KvConfig): string {
  const w = c.watches;
  return [
    `kv: clients=${c.clients.clients} rate=${c.clients.opRate} keys=${c.clients.keys.length} timeout=${c.timeoutSteps}`,
    `watches=${w.streams} poll=${w.pollResponsesMax} sync=${w.syncChangesMax} queue=${c.queueEventsMax}`,
  ].join(" ");
}
