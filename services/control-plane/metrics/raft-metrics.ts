/**
 * Raft and disk metrics of one master. Counters and histograms are fed by the runtime's
 * observer hooks as things happen; the term, leader and index gauges are read from the
 * backend's Raft status at scrape time. Names follow etcd's where there is one:
 *
 *   flotilla_raft_leader_changes_total          etcd_server_leader_changes_seen_total
 *   flotilla_raft_is_leader / _has_leader       etcd_server_is_leader / etcd_server_has_leader
 *   flotilla_raft_commit_index / _applied_index etcd_server_proposals_{committed,applied}_total (gauges)
 *   flotilla_raft_proposals_total{result}       etcd_server_proposals_failed_total (result="failed")
 *   flotilla_raft_proposals_pending             etcd_server_proposals_pending
 *   flotilla_wal_fsync_duration_seconds         etcd_disk_wal_fsync_duration_seconds
 *   flotilla_snapshot_fsync_duration_seconds    etcd_snap_fsync_duration_seconds
 *   flotilla_wal_bytes_written_total            etcd_disk_wal_write_bytes_total
 */
import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import { NONE } from "../../../libs/raft/index.js";
import type { RaftStatus } from "../etcd/index.js";
import type { ReadyCycleReport, RuntimeObserver } from "../raft/index.js";
import { FSYNC_BUCKETS_SECONDS, READY_BUCKETS_SECONDS } from "./buckets.js";
import type { MetricsBackend } from "./sources.js";

/**
 * Registers the Raft and disk metrics in `registry`; returns the observer to hand to
 * RaftRuntime.start (`observer`). `backend` is read on each scrape (undefined: not attached yet).
 */
export function registerRaftMetrics(
  registry: Registry,
  backend: () => MetricsBackend | undefined,
): RuntimeObserver {
  const registers = [registry];
  const status = (): { self: string; s: RaftStatus } | undefined => {
    const b = backend();
    return b ? { self: b.memberId, s: b.raftStatus() } : undefined;
  };
  const statusGauge = (name: string, help: string, read: (self: string, s: RaftStatus) => number): void => {
    new Gauge({
      name,
      help,
      registers,
      collect() {
        const st = status();
        if (st) this.set(read(st.self, st.s));
      },
    });
  };
  statusGauge("flotilla_raft_term", "The current Raft term of this member.", (_, s) => s.term);
  statusGauge("flotilla_raft_is_leader", "1 if this member is the Raft leader, else 0.", (self, s) =>
    s.leaderId === self ? 1 : 0,
  );
  statusGauge("flotilla_raft_has_leader", "1 if this member knows of a leader, else 0.", (_, s) =>
    s.leaderId !== "0" ? 1 : 0,
  );
  statusGauge(
    "flotilla_raft_commit_index",
    "The highest log index this member knows to be committed.",
    (_, s) => s.commitIndex,
  );
  statusGauge(
    "flotilla_raft_applied_index",
    "The highest log index applied to this member's store.",
    (_, s) => s.appliedIndex,
  );
  statusGauge(
    "flotilla_raft_apply_lag_entries",
    "Committed entries not yet applied on this member (commit index minus applied index).",
    (_, s) => Math.max(0, s.commitIndex - s.appliedIndex),
  );

  const leaderChanges = new Counter({
    name: "flotilla_raft_leader_changes_total",
    help: "Times this member saw a new leader (a change to a known leader other than the previous one).",
    registers,
  });
  const proposals = new Counter({
    name: "flotilla_raft_proposals_total",
    help: 'Proposals made on this member that settled: result="committed" (applied here) or "failed" (rejected, timed out, or overwritten).',
    labelNames: ["result"],
    registers,
  });
  for (const result of ["committed", "failed"]) proposals.inc({ result }, 0);
  const pending = new Gauge({
    name: "flotilla_raft_proposals_pending",
    help: "Proposals made on this member and not yet settled.",
    registers,
  });
  const readyDuration = new Histogram({
    name: "flotilla_raft_ready_duration_seconds",
    help: "Duration of one Raft Ready cycle: persist, send, apply and advance.",
    buckets: [...READY_BUCKETS_SECONDS],
    registers,
  });
  const applyDuration = new Histogram({
    name: "flotilla_raft_apply_duration_seconds",
    help: "Time a Ready cycle spent applying committed entries and snapshots to the store (cycles that applied something).",
    buckets: [...READY_BUCKETS_SECONDS],
    registers,
  });
  const walFsync = new Histogram({
    name: "flotilla_wal_fsync_duration_seconds",
    help: "The latency distributions of fdatasync called by the WAL.",
    buckets: [...FSYNC_BUCKETS_SECONDS],
    registers,
  });
  const snapshotFsync = new Histogram({
    name: "flotilla_snapshot_fsync_duration_seconds",
    help: "The latency distributions of fdatasync called on snapshot files.",
    buckets: [...FSYNC_BUCKETS_SECONDS],
    registers,
  });
  const walBytes = new Counter({
    name: "flotilla_wal_bytes_written_total",
    help: "Bytes of records written to the WAL.",
    registers,
  });

  return {
    walFsync: (seconds) => walFsync.observe(seconds),
    walWrite: (bytes) => walBytes.inc(bytes),
    snapshotFsync: (seconds) => snapshotFsync.observe(seconds),
    proposalStarted: () => pending.inc(),
    proposalSettled: (result) => {
      pending.dec();
      proposals.inc({ result });
    },
    leaderChanged: (lead) => {
      // As etcd: a change to no leader is not counted; the next known leader is.
      if (lead !== NONE) leaderChanges.inc();
    },
    readyCycle: (r: ReadyCycleReport) => {
      readyDuration.observe(r.durationSeconds);
      if (r.entriesApplied > 0) applyDuration.observe(r.applySeconds);
    },
  };
}
