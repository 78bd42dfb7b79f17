import { register as globalRegistry } from "prom-client";
import { describe, expect, it } from "vitest";
import { MvccStore, utf8 } from "../../../libs/mvcc/index.js";
import { NONE, nodeId } from "../../../libs/raft/index.js";
import { FakeBackend, type RaftStatus } from "../etcd/index.js";
import { createMasterMetrics, type MasterMetrics, type MetricsBackend } from "./index.js";
import { type Family, parsePrometheusText, sampleValue } from "./test-support/prom-text.js";

async function scrape(m: MasterMetrics): Promise<Map<string, Family>> {
  return parsePrometheusText(await m.registry.metrics());
}

async function value(m: MasterMetrics, name: string, labels: Record<string, string> = {}): Promise<number> {
  const v = sampleValue(await scrape(m), name, labels);
  if (v === undefined) throw new Error(`no sample ${name} ${JSON.stringify(labels)}`);
  return v;
}

/** A backend whose Raft status the test sets. */
function stubBackend(status: RaftStatus, store = new MvccStore()): MetricsBackend & { status: RaftStatus } {
  return {
    memberId: "7",
    store,
    status,
    raftStatus() {
      return this.status;
    },
    dbSizeBytes: () => 4096,
  };
}

describe("master metrics", () => {
  it("give each master its own registry, with process metrics under their standard names", async () => {
    const a = createMasterMetrics();
    const b = createMasterMetrics();
    a.raftObserver.leaderChanged?.(nodeId(3), 2);
    expect(await value(a, "flotilla_raft_leader_changes_total")).toBe(1);
    expect(await value(b, "flotilla_raft_leader_changes_total")).toBe(0);
    const names = [...(await scrape(a)).keys()];
    expect(names).toContain("process_cpu_user_seconds_total");
    expect(names).toContain("process_resident_memory_bytes");
    expect(names).toContain("nodejs_eventloop_lag_seconds");
    expect(names).toContain("nodejs_heap_size_used_bytes");
    expect(globalRegistry.getSingleMetric("flotilla_raft_term")).toBeUndefined();
    expect(globalRegistry.getSingleMetric("process_cpu_user_seconds_total")).toBeUndefined();
  });

  it("put a HELP and a TYPE on every family", async () => {
    const families = await scrape(createMasterMetrics());
    expect(families.size).toBeGreaterThan(20);
    for (const f of families.values()) {
      expect(f.help, f.name).toMatch(/\S/);
      expect(f.type, f.name).toBeDefined();
    }
  });

  it("read term, leadership, indexes and apply lag from the backend at each scrape", async () => {
    const backend = stubBackend({
      leaderId: "7",
      term: 4,
      commitIndex: 10,
      appliedIndex: 7,
      isLearner: false,
    });
    const m = createMasterMetrics({ backend }, { defaultMetrics: false });
    expect(await value(m, "flotilla_raft_term")).toBe(4);
    expect(await value(m, "flotilla_raft_is_leader")).toBe(1);
    expect(await value(m, "flotilla_raft_has_leader")).toBe(1);
    expect(await value(m, "flotilla_raft_commit_index")).toBe(10);
    expect(await value(m, "flotilla_raft_applied_index")).toBe(7);
    expect(await value(m, "flotilla_raft_apply_lag_entries")).toBe(3);

    backend.status = { leaderId: "9", term: 5, commitIndex: 12, appliedIndex: 12, isLearner: false };
    expect(await value(m, "flotilla_raft_term")).toBe(5);
    expect(await value(m, "flotilla_raft_is_leader")).toBe(0);
    expect(await value(m, "flotilla_raft_apply_lag_entries")).toBe(0);
    backend.status = { ...backend.status, leaderId: "0" };
    expect(await value(m, "flotilla_raft_has_leader")).toBe(0);
  });

  it("count a leader change only when a leader becomes known, as etcd does", async () => {
    const m = createMasterMetrics({}, { defaultMetrics: false });
    const o = m.raftObserver;
    o.leaderChanged?.(nodeId(1), 2);
    o.leaderChanged?.(NONE, 3); // leader lost: not a change to count
    o.leaderChanged?.(nodeId(2), 3);
    expect(await value(m, "flotilla_raft_leader_changes_total")).toBe(2);
  });

  it("show the store's revisions, keys and size, from a backend attached after creation", async () => {
    const m = createMasterMetrics({}, { defaultMetrics: false });
    const backend = new FakeBackend();
    try {
      m.attach({ backend });
      for (let i = 0; i < 5; i++)
        await backend.propose({ type: "put", put: { key: utf8(`k${i % 3}`), value: utf8("v") } });
      await backend.propose({ type: "compact", compact: { revision: 4 } });
      expect(await value(m, "flotilla_mvcc_revision")).toBe(6);
      expect(await value(m, "flotilla_mvcc_compact_revision")).toBe(4);
      expect(await value(m, "flotilla_mvcc_keys")).toBe(3);
      expect(await value(m, "flotilla_mvcc_db_total_size_in_bytes")).toBe(backend.dbSizeBytes());
      expect(await value(m, "flotilla_raft_is_leader")).toBe(1);
    } finally {
      backend.close();
    }
  });

  it("count etcd watchers on the store by default, and use the watch counts a master feeds", async () => {
    const store = new MvccStore();
    const m = createMasterMetrics(
      {
        backend: stubBackend(
          { leaderId: "7", term: 1, commitIndex: 0, appliedIndex: 0, isLearner: false },
          store,
        ),
      },
      { defaultMetrics: false },
    );
    expect(await value(m, "flotilla_watchers", { api: "etcd" })).toBe(0);
    expect(await value(m, "flotilla_watchers", { api: "resources" })).toBe(0);
    store.watches.watch({ key: utf8("a") });
    store.watches.watch({ key: utf8("b"), rangeEnd: new Uint8Array([0]) });
    expect(await value(m, "flotilla_watchers", { api: "etcd" })).toBe(2);

    let resources = 1000;
    m.attach({ etcdWatchers: () => 5, resourceWatchers: () => resources });
    expect(await value(m, "flotilla_watchers", { api: "etcd" })).toBe(5);
    expect(await value(m, "flotilla_watchers", { api: "resources" })).toBe(1000);
    resources = 999;
    expect(await value(m, "flotilla_watchers", { api: "resources" })).toBe(999);
  });

  it("record fsync durations in etcd's buckets: 1 ms doubling fourteen times", async () => {
    const m = createMasterMetrics({}, { defaultMetrics: false });
    m.raftObserver.walFsync?.(0.0015);
    m.raftObserver.walFsync?.(0.003);
    m.raftObserver.snapshotFsync?.(20);
    const f = await scrape(m);
    const les = f
      .get("flotilla_wal_fsync_duration_seconds")!
      .samples.filter((s) => s.name.endsWith("_bucket"))
      .map((s) => s.labels["le"]);
    expect(les).toEqual([
      "0.001",
      "0.002",
      "0.004",
      "0.008",
      "0.016",
      "0.032",
      "0.064",
      "0.128",
      "0.256",
      "0.512",
      "1.024",
      "2.048",
      "4.096",
      "8.192",
      "+Inf",
    ]);
    expect(sampleValue(f, "flotilla_wal_fsync_duration_seconds_bucket", { le: "0.001" })).toBe(0);
    expect(sampleValue(f, "flotilla_wal_fsync_duration_seconds_bucket", { le: "0.002" })).toBe(1);
    expect(sampleValue(f, "flotilla_wal_fsync_duration_seconds_bucket", { le: "0.004" })).toBe(2);
    expect(sampleValue(f, "flotilla_snapshot_fsync_duration_seconds_bucket", { le: "8.192" })).toBe(0);
    expect(sampleValue(f, "flotilla_snapshot_fsync_duration_seconds_bucket", { le: "+Inf" })).toBe(1);
  });

  it("turn the watch cache's running totals into counters, and its watcher count into the resources gauge", async () => {
    const stats = {
      watchers: 3,
      eventsDelivered: 10,
      watchersDropped: 1,
      undecodableValues: 0,
      reinitializations: 0,
    };
    const m = createMasterMetrics({ watchCache: () => stats }, { defaultMetrics: false });
    expect(await value(m, "flotilla_watchers", { api: "resources" })).toBe(3);
    expect(await value(m, "flotilla_watch_cache_events_dispatched_total")).toBe(10);
    expect(await value(m, "flotilla_watch_cache_terminated_watchers_total")).toBe(1);
    stats.eventsDelivered = 25;
    stats.reinitializations = 1;
    expect(await value(m, "flotilla_watch_cache_events_dispatched_total")).toBe(25);
    expect(await value(m, "flotilla_watch_cache_reinitializations_total")).toBe(1);
    expect(await value(m, "flotilla_watch_cache_undecodable_values_total")).toBe(0);
    // A new cache starts its totals again: the counter keeps growing.
    stats.eventsDelivered = 4;
    expect(await value(m, "flotilla_watch_cache_events_dispatched_total")).toBe(29);
  });
});
