/**
 * The metrics of one master, in a registry of its own: several masters share a process in
 * tests, so nothing goes into prom-client's global registry. Serve `registry` on /metrics
 * (it has `contentType` and `metrics()`).
 */
import type { ServiceDefinition, UntypedServiceImplementation } from "@grpc/grpc-js";
import { collectDefaultMetrics, Registry } from "prom-client";
import type { RuntimeObserver } from "../raft/index.js";
import { createGrpcMetrics, type GrpcMetrics } from "./grpc-metrics.js";
import { instrumentService } from "./instrument-service.js";
import { registerRaftMetrics } from "./raft-metrics.js";
import type { MetricsSources } from "./sources.js";
import { registerStoreMetrics } from "./store-metrics.js";
import { registerWatchCacheMetrics } from "./watch-cache-metrics.js";

export interface MasterMetricsOptions {
  /**
   * Node.js process metrics under their standard names (process_cpu_seconds_total,
   * process_resident_memory_bytes, nodejs_eventloop_lag_seconds, nodejs_heap_size_used_bytes, …).
   * @default true
   */
  readonly defaultMetrics?: boolean;
}

/** One master's registry and the hooks that feed it. */
export class MasterMetrics {
  /** Serve this on /metrics: `await registry.metrics()` with `registry.contentType`. */
  readonly registry = new Registry();
  /** For instrumentService; `instrument` is the short way. */
  readonly grpc: GrpcMetrics;
  /** Pass as RaftRuntimeOptions.observer: proposals, leader changes, Ready cycles, fsyncs. */
  readonly raftObserver: RuntimeObserver;
  private sources: MetricsSources;

  constructor(sources: MetricsSources = {}, options: MasterMetricsOptions = {}) {
    this.sources = sources;
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
    this.grpc = createGrpcMetrics(this.registry);
    this.raftObserver = registerRaftMetrics(this.registry, () => this.sources.backend);
    registerStoreMetrics(this.registry, () => this.sources);
    registerWatchCacheMetrics(this.registry, () => this.sources.watchCache?.());
  }

  /** Adds or replaces sources (e.g. the backend once it exists, the resource watch count later). */
  attach(sources: MetricsSources): void {
    this.sources = { ...this.sources, ...sources };
  }

  /** `implementation` with every call counted and timed (see instrumentService). */
  instrument(
    definition: ServiceDefinition,
    implementation: UntypedServiceImplementation,
  ): UntypedServiceImplementation {
    return instrumentService(definition, implementation, this.grpc);
  }
}

/**
 * A master's metrics: create it before RaftRuntime.start (its `raftObserver` goes into the
 * runtime's options), attach the backend once it exists.
 */
export function createMasterMetrics(
  sources: MetricsSources = {},
  options: MasterMetricsOptions = {},
): MasterMetrics {
  return new MasterMetrics(sources, options);
}
