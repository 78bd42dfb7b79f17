import { afterEach, describe, expect, it } from "vitest";
import { WebSocket, WebSocketServer } from "ws";
import { utf8 } from "../../../libs/mvcc/index.js";
import { nodeId } from "../../../libs/raft/index.js";
import { FakeBackend } from "../etcd/index.js";
import { createMasterMetrics } from "../metrics/index.js";
import { parsePrometheusText, sampleValue } from "../metrics/test-support/prom-text.js";
import { type HttpApi, type HttpApiTarget, startHttpApi } from "./http-api.js";

const target: HttpApiTarget = {
  healthy: () => true,
  ready: () => true,
  status: () => ({ name: "m1" }),
  partition: () => ({}),
  heal: () => ({}),
};

/** Every metric the issue names, with its Prometheus type. */
const EXPECTED: Record<string, string> = {
  flotilla_grpc_requests_total: "counter",
  flotilla_grpc_request_duration_seconds: "histogram",
  flotilla_grpc_streams_open: "gauge",
  flotilla_watchers: "gauge",
  flotilla_raft_term: "gauge",
  flotilla_raft_leader_changes_total: "counter",
  flotilla_raft_is_leader: "gauge",
  flotilla_raft_commit_index: "gauge",
  flotilla_raft_applied_index: "gauge",
  flotilla_raft_apply_lag_entries: "gauge",
  flotilla_raft_proposals_total: "counter",
  flotilla_raft_proposals_pending: "gauge",
  flotilla_raft_ready_duration_seconds: "histogram",
  flotilla_wal_fsync_duration_seconds: "histogram",
  flotilla_snapshot_fsync_duration_seconds: "histogram",
  flotilla_wal_bytes_written_total: "counter",
  flotilla_mvcc_revision: "gauge",
  flotilla_mvcc_compact_revision: "gauge",
  flotilla_mvcc_db_total_size_in_bytes: "gauge",
  process_cpu_seconds_total: "counter",
  process_resident_memory_bytes: "gauge",
  nodejs_eventloop_lag_seconds: "gauge",
  nodejs_heap_size_used_bytes: "gauge",
};

let api: HttpApi | undefined;
let backend: FakeBackend | undefined;
afterEach(async () => {
  await api?.close();
  backend?.close();
  api = undefined;
  backend = undefined;
});

const url = (path: string): string => `http://127.0.0.1:${api!.port}${path}`;

describe("the master's HTTP API", () => {
  it("serves /metrics in the Prometheus text format with every metric of the master", async () => {
    backend = new FakeBackend({ term: 3 });
    const metrics = createMasterMetrics({ backend, resourceWatchers: () => 2 });
    for (let i = 0; i < 4; i++)
      await backend.propose({ type: "put", put: { key: utf8(`k${i}`), value: utf8("v") } });
    const o = metrics.raftObserver;
    o.leaderChanged?.(nodeId(1), 3);
    o.proposalStarted?.();
    o.proposalSettled?.("committed");
    o.walWrite?.(100);
    o.walFsync?.(0.002);
    o.snapshotFsync?.(0.01);
    o.readyCycle?.({ durationSeconds: 0.001, applySeconds: 0.0005, entriesApplied: 1 });
    metrics.grpc.requests.inc({ service: "etcdserverpb.KV", method: "Range", code: "OK" });
    metrics.grpc.duration.observe({ service: "etcdserverpb.KV", method: "Range" }, 0.003);
    metrics.grpc.streamsOpen.inc({ service: "etcdserverpb.Watch", method: "Watch" });
    api = await startHttpApi("127.0.0.1", 0, { ...target, metrics: metrics.registry });

    const res = await fetch(url("/metrics"));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe(metrics.registry.contentType);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const families = parsePrometheusText(await res.text());
    for (const [name, type] of Object.entries(EXPECTED)) {
      const f = families.get(name);
      expect(f, name).toBeDefined();
      expect(f!.type, name).toBe(type);
      expect(f!.help, name).toMatch(/\S/);
      expect(f!.samples.length, name).toBeGreaterThan(0);
    }
    const v = (name: string, labels: Record<string, string> = {}) => sampleValue(families, name, labels);
    expect(v("flotilla_raft_term")).toBe(3);
    expect(v("flotilla_raft_is_leader")).toBe(1);
    const raft = backend.raftStatus();
    expect(raft.commitIndex).toBeGreaterThanOrEqual(4);
    expect(v("flotilla_raft_commit_index")).toBe(raft.commitIndex);
    expect(v("flotilla_raft_applied_index")).toBe(raft.appliedIndex);
    expect(v("flotilla_raft_apply_lag_entries")).toBe(0);
    expect(v("flotilla_mvcc_revision")).toBe(5);
    expect(v("flotilla_mvcc_compact_revision")).toBe(0);
    expect(v("flotilla_mvcc_db_total_size_in_bytes")).toBe(backend.dbSizeBytes());
    expect(v("flotilla_watchers", { api: "resources" })).toBe(2);
    expect(v("flotilla_watchers", { api: "etcd" })).toBe(0);
    expect(v("flotilla_raft_leader_changes_total")).toBe(1);
    expect(v("flotilla_raft_proposals_total", { result: "committed" })).toBe(1);
    expect(v("flotilla_raft_proposals_total", { result: "failed" })).toBe(0);
    expect(v("flotilla_raft_proposals_pending")).toBe(0);
    expect(v("flotilla_wal_bytes_written_total")).toBe(100);
    expect(v("flotilla_wal_fsync_duration_seconds_count")).toBe(1);
    expect(v("flotilla_snapshot_fsync_duration_seconds_count")).toBe(1);
    expect(
      v("flotilla_grpc_requests_total", { service: "etcdserverpb.KV", method: "Range", code: "OK" }),
    ).toBe(1);
    expect(
      v("flotilla_grpc_request_duration_seconds_count", { service: "etcdserverpb.KV", method: "Range" }),
    ).toBe(1);
    expect(v("flotilla_grpc_streams_open", { service: "etcdserverpb.Watch", method: "Watch" })).toBe(1);
  });

  it("answers /metrics with 404 when the master serves no metrics, and 405 for another method", async () => {
    api = await startHttpApi("127.0.0.1", 0, target);
    const missing = await fetch(url("/metrics"));
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: "metrics are not served here" });
    const post = await fetch(url("/metrics"), { method: "POST" });
    expect(post.status).toBe(405);
  });

  it("keeps its routes and exposes its node:http server, to which a WebSocket endpoint can be attached", async () => {
    api = await startHttpApi("127.0.0.1", 0, target);
    const address = api.server.address();
    expect(typeof address === "object" && address?.port).toBe(api.port);

    const wss = new WebSocketServer({ noServer: true });
    api.server.on("upgrade", (req, socket, head) => {
      if (new URL(req.url ?? "/", "http://x").pathname !== "/watch") return void socket.destroy();
      wss.handleUpgrade(req, socket, head, (ws) => ws.send(JSON.stringify({ type: "BOOKMARK" })));
    });
    const ws = new WebSocket(`ws://127.0.0.1:${api.port}/watch`);
    const frame = await new Promise<string>((resolve, reject) => {
      ws.once("message", (data) => resolve(String(data)));
      ws.once("error", reject);
    });
    expect(JSON.parse(frame)).toEqual({ type: "BOOKMARK" });
    ws.terminate();
    wss.close();

    const health = await fetch(url("/healthz"));
    expect([health.status, await health.text()]).toEqual([200, "ok"]);
    const status = await fetch(url("/status"));
    expect(await status.json()).toEqual({ name: "m1" });
  });
});
