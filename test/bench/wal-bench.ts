/**
 * WAL throughput and latency: batches of N entries of 256 bytes, saved back to back (as the
 * Ready loop does), fsync on and off, on real files in the OS temp directory.
 *
 *   npm run bench:wal -- [secondsPerCase=3] [batchSizes=1,16,128,1024]
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Entry } from "../../libs/raft/index.js";
import { nodeId } from "../../libs/raft/index.js";
import { openStorage } from "../../libs/storage/index.js";

const ENTRY_BYTES = 256;
const SAVES_MAX = 200_000;

interface CaseResult {
  readonly fsync: boolean;
  readonly batch: number;
  readonly saves: number;
  readonly seconds: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly segments: number;
}

async function runCase(fsync: boolean, batch: number, secondsMax: number): Promise<CaseResult> {
  const dir = await mkdtemp(join(tmpdir(), "flotilla-wal-bench-"));
  try {
    const { wal } = await openStorage(dir, { fsync });
    const data = new Uint8Array(ENTRY_BYTES).fill(7);
    const latenciesMs: number[] = [];
    let index = 1;
    const started = performance.now();
    const deadline = started + secondsMax * 1000;
    while (latenciesMs.length < SAVES_MAX && performance.now() < deadline) {
      const entries: Entry[] = [];
      for (let i = 0; i < batch; i++) entries.push({ index: index + i, term: 1, type: "normal", data });
      const t0 = performance.now();
      await wal.save({ term: 1, vote: nodeId(1), commit: index - 1 }, entries);
      latenciesMs.push(performance.now() - t0);
      index += batch;
    }
    const seconds = (performance.now() - started) / 1000;
    const segments = wal.segmentCount;
    await wal.close();
    latenciesMs.sort((a, b) => a - b);
    const at = (q: number): number =>
      latenciesMs[Math.min(latenciesMs.length - 1, Math.floor(q * latenciesMs.length))]!;
    return { fsync, batch, saves: latenciesMs.length, seconds, p50Ms: at(0.5), p99Ms: at(0.99), segments };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const secondsPerCase = Number(process.argv[2] ?? 3);
const batches = (process.argv[3] ?? "1,16,128,1024").split(",").map(Number);
console.log(
  `WAL bench: ${ENTRY_BYTES}-byte entries, ${secondsPerCase}s per case, temp dir under ${tmpdir()}`,
);
console.log("fsync  batch    saves/s    entries/s     MiB/s   p50 ms   p99 ms  segments");
for (const fsync of [true, false]) {
  for (const batch of batches) {
    const r = await runCase(fsync, batch, secondsPerCase);
    const savesPerS = r.saves / r.seconds;
    const entriesPerS = savesPerS * batch;
    console.log(
      `${(fsync ? "on" : "off").padEnd(5)} ${String(batch).padStart(6)} ${savesPerS.toFixed(0).padStart(10)} ` +
        `${entriesPerS.toFixed(0).padStart(12)} ${((entriesPerS * ENTRY_BYTES) / 2 ** 20).toFixed(1).padStart(9)} ` +
        `${r.p50Ms.toFixed(3).padStart(8)} ${r.p99Ms.toFixed(3).padStart(8)} ${String(r.segments).padStart(9)}`,
    );
  }
}
