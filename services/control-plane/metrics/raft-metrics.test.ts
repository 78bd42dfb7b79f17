import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type Command, encodeCommand, MvccStore, utf8 } from "../../../libs/mvcc/index.js";
import { nodeId } from "../../../libs/raft/index.js";
import { StoreSizeCache } from "../etcd/index.js";
import { type AppliedEntry, RaftRuntime, type StateMachine } from "../raft/index.js";
import { freePort } from "../raft/test-support/harness.js";
import { createMasterMetrics, type MasterMetrics, type MetricsBackend } from "./index.js";
import { type Family, parsePrometheusText, sampleValue } from "./test-support/prom-text.js";
import { eventually } from "./test-support/wait.js";

/** The MVCC store as the runtime's state machine (what MasterStateMachine does, minus attributes). */
class StoreStateMachine implements StateMachine {
  constructor(readonly store: MvccStore) {}
  apply(e: AppliedEntry): unknown {
    return this.store.applyEntry(e.index, e.data);
  }
  markApplied(index: number): void {
    this.store.markApplied(index);
  }
  snapshot(): Iterable<Uint8Array> {
    return this.store.snapshot();
  }
  restore(data: Uint8Array): void {
    this.store.restore([data]);
  }
  appliedIndex(): number {
    return this.store.consistentIndex;
  }
}

/** One member's runtime and store, with metrics wired as a master wires them. */
interface Member {
  readonly rt: RaftRuntime;
  readonly backend: MetricsBackend & { propose(cmd: Command): Promise<unknown> };
  readonly metrics: MasterMetrics;
  readonly dir: string;
}

let member: Member | undefined;
afterEach(async () => {
  if (!member) return;
  await member.rt.stop();
  await rm(member.dir, { recursive: true, force: true });
  member = undefined;
});

async function startMember(): Promise<Member> {
  const dir = await mkdtemp(join(tmpdir(), "flotilla-metrics-"));
  const metrics = createMasterMetrics({}, { defaultMetrics: false });
  const store = new MvccStore();
  const sm = new StoreStateMachine(store);
  const url = `127.0.0.1:${await freePort()}`;
  const id = nodeId(1);
  const rt = await RaftRuntime.start({
    id,
    dataDir: dir,
    listen: url,
    initialCluster: [{ id, url }],
    stateMachine: sm,
    tickMs: 10,
    fsync: true,
    snapshotEntries: 20,
    snapshotCatchUpEntries: 5,
    observer: metrics.raftObserver,
  });
  const size = new StoreSizeCache(store);
  // The parts of RuntimeBackend the metrics read (its raftStatus is exactly this).
  const backend = {
    memberId: String(id),
    store,
    raftStatus: () => {
      const s = rt.basicStatus();
      return {
        leaderId: String(s.lead),
        term: s.term,
        commitIndex: s.commit,
        appliedIndex: s.applied,
        isLearner: s.isLearner,
      };
    },
    dbSizeBytes: () => size.bytes(),
    propose: (cmd: Command) => rt.propose(encodeCommand(cmd)),
  };
  metrics.attach({ backend });
  return { rt, backend, metrics, dir };
}

async function scrape(m: MasterMetrics): Promise<Map<string, Family>> {
  return parsePrometheusText(await m.registry.metrics());
}

async function value(m: MasterMetrics, name: string, labels: Record<string, string> = {}): Promise<number> {
  const v = sampleValue(await scrape(m), name, labels);
  if (v === undefined) throw new Error(`no sample ${name} ${JSON.stringify(labels)}`);
  return v;
}

const put = (i: number) => ({ type: "put", put: { key: utf8(`k${i}`), value: utf8(`v${i}`) } }) as const;

describe("Raft, disk and store metrics of a running member", () => {
  it("follow elections, proposals, Ready cycles, fsyncs, snapshots and the store", async () => {
    member = await startMember();
    const { rt, backend, metrics } = member;
    await eventually(() => rt.status().role === "leader", "the single member to lead");
    for (let i = 0; i < 30; i++) await backend.propose(put(i));
    await backend.propose({ type: "compact", compact: { revision: 10 } });
    await eventually(
      async () => (await value(metrics, "flotilla_snapshot_fsync_duration_seconds_count")) >= 1,
      "a snapshot to be written",
    );

    const s = rt.status();
    expect(await value(metrics, "flotilla_raft_term")).toBe(s.term);
    expect(await value(metrics, "flotilla_raft_is_leader")).toBe(1);
    expect(await value(metrics, "flotilla_raft_has_leader")).toBe(1);
    expect(await value(metrics, "flotilla_raft_leader_changes_total")).toBe(1);
    expect(await value(metrics, "flotilla_raft_commit_index")).toBe(s.commit);
    expect(await value(metrics, "flotilla_raft_applied_index")).toBe(s.applied);
    expect(await value(metrics, "flotilla_raft_apply_lag_entries")).toBe(0);
    expect(await value(metrics, "flotilla_raft_proposals_total", { result: "committed" })).toBe(31);
    expect(await value(metrics, "flotilla_raft_proposals_total", { result: "failed" })).toBe(0);
    expect(await value(metrics, "flotilla_raft_proposals_pending")).toBe(0);

    // Each of the 31 writes was its own Ready with its own fsync (they were sequential).
    expect(await value(metrics, "flotilla_wal_fsync_duration_seconds_count")).toBeGreaterThanOrEqual(31);
    expect(await value(metrics, "flotilla_wal_fsync_duration_seconds_sum")).toBeGreaterThan(0);
    expect(await value(metrics, "flotilla_wal_bytes_written_total")).toBeGreaterThan(31 * 10);
    expect(await value(metrics, "flotilla_raft_ready_duration_seconds_count")).toBeGreaterThanOrEqual(31);
    expect(await value(metrics, "flotilla_raft_apply_duration_seconds_count")).toBeGreaterThanOrEqual(31);

    expect(await value(metrics, "flotilla_mvcc_revision")).toBe(31);
    expect(await value(metrics, "flotilla_mvcc_compact_revision")).toBe(10);
    expect(await value(metrics, "flotilla_mvcc_keys")).toBe(30);
    expect(await value(metrics, "flotilla_mvcc_db_total_size_in_bytes")).toBe(backend.dbSizeBytes());
    expect(backend.dbSizeBytes()).toBeGreaterThan(0);
  });

  it("count proposals as pending until they settle, and as failed when the member stops first", async () => {
    member = await startMember();
    const { rt, metrics } = member;
    await eventually(() => rt.status().role === "leader", "the single member to lead");
    const doomed = [1, 2, 3].map((i) => rt.propose(utf8(`p${i}`)).catch((e: unknown) => e));
    expect(await value(metrics, "flotilla_raft_proposals_pending")).toBe(3);
    await rt.stop();
    const outcomes = await Promise.all(doomed);
    expect(outcomes.map((e) => (e as { code?: string }).code)).toEqual(["stopped", "stopped", "stopped"]);
    expect(await value(metrics, "flotilla_raft_proposals_total", { result: "failed" })).toBe(3);
    expect(await value(metrics, "flotilla_raft_proposals_total", { result: "committed" })).toBe(0);
    expect(await value(metrics, "flotilla_raft_proposals_pending")).toBe(0);
  });
});
