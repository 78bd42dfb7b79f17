/**
 * bench:raft — three Raft cores in one process, no I/O: how fast does the core itself commit?
 *
 * Each simulated tick, every node handles one Ready (one "fsync" per tick) and the network
 * delivers everything sent during the tick; the leader proposes a batch of small payloads per
 * tick. So propose→commit is measured in ticks (pipeline depth), and wall-clock time gives the
 * core's throughput. Memory per entry is the heap growth per retained log entry across nodes.
 *
 *   npm run bench:raft [-- --seconds 10 --batch 512 --payload 64]
 */
import {
  bootstrap,
  MemoryStorage,
  type Message,
  type NodeId,
  nodeId,
  RawNode,
  seededRng,
} from "../../libs/raft/index.js";
import { arg, percentile, printTable } from "./bench-util.js";

const seconds = Number(arg("seconds", "8"));
const batch = Number(arg("batch", "512"));
const payloadBytes = Number(arg("payload", "64"));

interface Member {
  node: RawNode;
  storage: MemoryStorage;
}

function makeCluster(): Map<NodeId, Member> {
  const ids = [1, 2, 3].map(nodeId);
  const members = new Map<NodeId, Member>();
  for (const id of ids) {
    const storage = new MemoryStorage();
    bootstrap(storage, ids);
    const node = new RawNode({
      id,
      storage,
      rng: seededRng(id),
      maxInflightMsgs: 4096,
      maxMsgBytes: 4 << 20,
      maxUncommittedEntriesBytes: 1 << 30,
    });
    members.set(id, { node, storage });
  }
  return members;
}

/** One tick: each node handles at most one Ready; then the network delivers what was sent. */
function tick(members: Map<NodeId, Member>, onCommit: (leaderApplied: number) => void, leader: NodeId): void {
  const outbox: Message[] = [];
  for (const [id, m] of members) {
    if (!m.node.hasReady()) continue;
    const rd = m.node.ready();
    if (rd.snapshot) m.storage.applySnapshot(rd.snapshot);
    m.storage.append(rd.entries);
    if (rd.hardState) m.storage.setHardState(rd.hardState);
    for (const msg of rd.messages) outbox.push(msg);
    if (id === leader) for (const e of rd.committedEntries) if (e.data.byteLength > 0) onCommit(e.index);
    m.node.advance(rd);
  }
  for (const msg of outbox) members.get(msg.to)?.node.step(msg);
}

function run(): void {
  const members = makeCluster();
  const leaderId = nodeId(1);
  const leader = members.get(leaderId)!.node;
  // The founding membership must be applied before anyone may campaign.
  tick(members, () => {}, leaderId);
  leader.campaign();
  for (let i = 0; i < 20; i++) tick(members, () => {}, leaderId);
  if (leader.status().role !== "leader") throw new Error("bench: node 1 did not become leader");

  const payload = new Uint8Array(payloadBytes).fill(7);
  const datas = Array.from({ length: batch }, () => payload);
  // index → tick at which it was proposed; the leader's log index is predictable.
  const proposedAt = new Map<number, number>();
  const latencies: number[] = [];
  let committed = 0;
  let tickNo = 0;
  const heapBefore = process.memoryUsage().heapUsed;
  const start = performance.now();
  const deadline = start + seconds * 1000;
  let firstIndex = leader.status().lastIndex + 1;
  while (performance.now() < deadline) {
    for (let k = 0; k < 16; k++) {
      tickNo++;
      const res = leader.proposeBatch(datas);
      if (res.ok) {
        for (let i = 0; i < batch; i++) proposedAt.set(firstIndex + i, tickNo);
        firstIndex += batch;
      }
      tick(
        members,
        (idx) => {
          const at = proposedAt.get(idx);
          if (at !== undefined) {
            latencies.push(tickNo - at);
            proposedAt.delete(idx);
            committed++;
          }
        },
        leaderId,
      );
      for (const m of members.values()) m.node.tick();
    }
  }
  const elapsedS = (performance.now() - start) / 1000;
  // In one process the followers hold the leader's very entry objects (no serialization), so
  // the honest figure is heap growth per unique entry: the Entry object, the array slots of
  // three logs, and the propose bookkeeping; the payload bytes are shared and not counted.
  const entriesHeld = members.get(leaderId)!.storage.lastIndex();
  global.gc?.();
  const heapAfter = process.memoryUsage().heapUsed;
  latencies.sort((a, b) => a - b);
  printTable("bench:raft — 3 cores in one process, no I/O", [
    ["proposals committed", committed.toLocaleString()],
    ["elapsed", `${elapsedS.toFixed(2)} s`],
    ["committed proposals/s", Math.round(committed / elapsedS).toLocaleString()],
    ["batch per tick / payload", `${batch} x ${payloadBytes} B`],
    ["propose→commit p50", `${percentile(latencies, 0.5)} ticks`],
    ["propose→commit p99", `${percentile(latencies, 0.99)} ticks`],
    ["log entries held", `${entriesHeld.toLocaleString()} (in each of 3 logs)`],
    [
      "heap per entry",
      global.gc
        ? `${Math.round((heapAfter - heapBefore) / entriesHeld)} B (entry + 3 log slots; payload shared, not counted)`
        : "run with node --expose-gc",
    ],
  ]);
}

run();
