import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { nodeId, type Snapshot } from "../raft/index.js";
import { DurableStorage } from "./durable-storage.js";
import { SnapshotStore } from "./snapshot-store.js";
import {
  captureLogger,
  entryRange,
  flipBit,
  logTerms,
  makeTempDir,
  removeDir,
} from "./test-support/helpers.js";

const confState = { voters: [nodeId(1), nodeId(2)], learners: [nodeId(3)] };

function snapshotAt(index: number, term: number): Snapshot {
  return {
    metadata: { index, term, confState },
    data: Uint8Array.from({ length: 100 }, (_, i) => (i + index) & 0xff),
  };
}

describe("snapshot files", () => {
  let dir = "";
  beforeEach(async () => {
    dir = await makeTempDir();
  });
  afterEach(async () => {
    await removeDir(dir);
  });

  it("a saved snapshot loads back equal, with its membership", async () => {
    const store = new SnapshotStore(dir);
    await store.saveSnapshot(snapshotAt(10, 2));
    const loaded = await store.loadNewestValidSnapshot();
    expect(loaded.snapshot).toEqual(snapshotAt(10, 2));
    expect(loaded.skipped).toEqual([]);
    expect(await readdir(dir)).toEqual(["000000000000000a-0000000000000002.snap"]);
  });

  it("a bit flipped in any region (magic, index, term, membership, data, CRC) is detected and skipped", async () => {
    const store = new SnapshotStore(dir, { keepSnapshots: 10 });
    await store.saveSnapshot(snapshotAt(5, 1));
    const newest = await store.saveSnapshot(snapshotAt(9, 1));
    const original = await readFile(newest);
    for (const at of [0, 8, 16, 24, 32, 40, 60, 80, original.byteLength - 50, original.byteLength - 1]) {
      await writeFile(newest, original);
      await flipBit(newest, at, 2);
      const logger = captureLogger();
      const loaded = await new SnapshotStore(dir, { logger }).loadNewestValidSnapshot();
      expect(loaded.snapshot?.metadata.index).toBe(5);
      expect(loaded.skipped).toHaveLength(1);
      expect(loaded.skipped[0]!.file).toBe(newest);
      expect(logger.warnings).toHaveLength(1);
    }
  });

  it("a file cut short is skipped", async () => {
    const store = new SnapshotStore(dir);
    await store.saveSnapshot(snapshotAt(5, 1));
    const newest = await store.saveSnapshot(snapshotAt(9, 1));
    await writeFile(newest, (await readFile(newest)).subarray(0, 77));
    expect((await store.loadNewestValidSnapshot()).snapshot?.metadata.index).toBe(5);
  });

  it("only the newest N are kept", async () => {
    const store = new SnapshotStore(dir, { keepSnapshots: 2 });
    for (const i of [3, 6, 9, 12]) await store.saveSnapshot(snapshotAt(i, 1));
    expect(await store.prune()).toHaveLength(2);
    expect((await store.list()).map((f) => f.index)).toEqual([12, 9]);
  });
});

describe("DurableStorage", () => {
  let dir = "";
  beforeEach(async () => {
    dir = await makeTempDir();
  });
  afterEach(async () => {
    await removeDir(dir);
  });

  async function fillAndSnapshot(): Promise<void> {
    const ds = await DurableStorage.open(dir, { keepSnapshots: 2, segmentBytesMax: 2048 });
    for (let i = 1; i <= 300; i += 10) {
      await ds.persist(
        { hardState: { term: 1, vote: nodeId(1), commit: i + 9 }, entries: entryRange(i, i + 9, 1) },
        true,
      );
    }
    for (const at of [100, 200, 250]) {
      const made = await ds.createSnapshot(at, confState, new Uint8Array([at & 0xff]));
      expect(typeof made).toBe("object");
    }
    expect(await ds.createSnapshot(250, confState, new Uint8Array())).toBe("outOfDate");
    expect(ds.compact(240)).toBe("ok");
    expect(ds.storage.firstIndex()).toBe(241);
    await ds.close();
  }

  it("a corrupt newest snapshot falls back to the older one, which the WAL still covers", async () => {
    await fillAndSnapshot();
    const snapDir = join(dir, "snap");
    expect(await readdir(snapDir)).toHaveLength(2);
    const newest = join(snapDir, "00000000000000fa-0000000000000001.snap");
    await flipBit(newest, 50, 0);

    const logger = captureLogger();
    const ds = await DurableStorage.open(dir, { logger });
    expect(ds.report.snapshot).toEqual({ index: 200, term: 1 });
    expect(ds.report.skippedSnapshots.map((s) => s.file)).toEqual([newest]);
    expect(logger.warnings.join("\n")).toContain(newest);
    expect(ds.storage.firstIndex()).toBe(201);
    expect(logTerms(ds.storage)).toHaveLength(100);
    expect(ds.storage.initialState().hardState.commit).toBe(300);
    // Kept as evidence, never read again.
    expect((await readdir(snapDir)).sort()).toContain("00000000000000fa-0000000000000001.snap.broken");
    await ds.close();
  });

  it("taking snapshots releases WAL segments only back to the oldest kept snapshot", async () => {
    await fillAndSnapshot();
    const ds = await DurableStorage.open(dir);
    expect(ds.report.snapshot).toEqual({ index: 250, term: 1 });
    const segmentFirstIndexes = (await readdir(join(dir, "wal"))).map((n) =>
      Number.parseInt(n.slice(17, 33), 16),
    );
    // The oldest kept snapshot is at 200; every entry above it is still in some segment.
    expect(Math.min(...segmentFirstIndexes)).toBeLessThanOrEqual(201);
    // ...and the segments wholly below it are gone.
    expect(Math.min(...segmentFirstIndexes)).toBeGreaterThan(1);
    await ds.close();
  });

  it("a snapshot installed through persist replaces the log, across reopen", async () => {
    const ds = await DurableStorage.open(dir);
    await ds.persist(
      { hardState: { term: 1, vote: nodeId(1), commit: 5 }, entries: entryRange(1, 50, 1) },
      true,
    );
    const installed = { metadata: { index: 120, term: 3, confState }, data: new Uint8Array([42]) };
    await ds.persist(
      { hardState: { term: 3, vote: nodeId(2), commit: 120 }, entries: [], snapshot: installed },
      true,
    );
    expect(ds.storage.firstIndex()).toBe(121);
    await ds.persist({ entries: entryRange(121, 125, 3) }, false);
    await ds.close();

    const again = await DurableStorage.open(dir);
    expect(again.storage.snapshot()).toEqual(installed);
    expect(logTerms(again.storage).map(([i]) => i)).toEqual([121, 122, 123, 124, 125]);
    expect(again.storage.initialState().hardState).toEqual({ term: 3, vote: nodeId(2), commit: 120 });
    await again.close();
  });
});
