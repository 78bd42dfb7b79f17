import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { nodeId } from "../raft/index.js";
import { RecoveryError, WalInvalidSaveError } from "./errors.js";
import { openStorage } from "./recovery.js";
import { entryRange, logTerms, makeTempDir, removeDir, segmentPaths } from "./test-support/helpers.js";

const voter = nodeId(1);
const confState = { voters: [voter], learners: [] };

describe("WAL round trip across reopen", () => {
  let dir = "";
  beforeEach(async () => {
    dir = await makeTempDir();
  });
  afterEach(async () => {
    await removeDir(dir);
  });

  it("a new directory opens empty and reports fsync on", async () => {
    const { storage, wal, report } = await openStorage(dir);
    expect(report.created).toBe(true);
    expect(report.fsyncEnabled).toBe(true);
    expect(wal.fsyncEnabled).toBe(true);
    expect(storage.lastIndex()).toBe(0);
    expect(report.tornTail).toBeUndefined();
    await wal.close();
  });

  it("hard state, many entries and an overwritten suffix come back after reopen", async () => {
    const first = await openStorage(dir);
    for (let i = 1; i <= 1000; i += 50) {
      await first.wal.save({ term: 1, vote: voter, commit: Math.max(0, i - 20) }, entryRange(i, i + 49, 1));
    }
    // A new leader in term 2 overwrote 900.. with a shorter suffix, then appended more.
    await first.wal.save({ term: 2, vote: voter, commit: 899 }, entryRange(900, 950, 2));
    await first.wal.save(undefined, entryRange(951, 960, 2));
    await first.wal.save({ term: 2, vote: voter, commit: 955 }, []);
    await first.wal.close();

    const second = await openStorage(dir);
    expect(second.storage.initialState().hardState).toEqual({ term: 2, vote: voter, commit: 955 });
    const terms = logTerms(second.storage);
    expect(terms).toHaveLength(960);
    expect(terms[898]).toEqual([899, 1]);
    expect(terms[899]).toEqual([900, 2]);
    expect(terms.at(-1)).toEqual([960, 2]);
    expect(second.report.tornTail).toBeUndefined();
    await second.wal.close();
  });

  it("concurrent saves are written in call order, never interleaved", async () => {
    const first = await openStorage(dir);
    const saves = [];
    for (let i = 1; i <= 200; i++)
      saves.push(first.wal.save({ term: 1, vote: voter, commit: i - 1 }, entryRange(i, i, 1)));
    // An overwrite queued behind them must land after them.
    saves.push(first.wal.save({ term: 2, vote: voter, commit: 150 }, entryRange(151, 151, 2)));
    await Promise.all(saves);
    await first.wal.close();

    const second = await openStorage(dir);
    expect(logTerms(second.storage).at(-1)).toEqual([151, 2]);
    expect(second.storage.lastIndex()).toBe(151);
    expect(second.storage.initialState().hardState.commit).toBe(150);
    await second.wal.close();
  });

  it("a save of non-contiguous entries is refused and the WAL keeps working", async () => {
    const { wal } = await openStorage(dir);
    const bad = [...entryRange(1, 2, 1), ...entryRange(4, 4, 1)];
    await expect(wal.save(undefined, bad)).rejects.toBeInstanceOf(WalInvalidSaveError);
    await wal.save(undefined, entryRange(1, 3, 1));
    await wal.close();
    const again = await openStorage(dir);
    expect(again.storage.lastIndex()).toBe(3);
    await again.wal.close();
  });

  it("fsync off is reported by the WAL and the report, and a clean close loses nothing", async () => {
    const first = await openStorage(dir, { fsync: false });
    expect(first.wal.fsyncEnabled).toBe(false);
    expect(first.report.fsyncEnabled).toBe(false);
    await first.wal.save({ term: 1, vote: voter, commit: 5 }, entryRange(1, 10, 1));
    await first.wal.close();
    const second = await openStorage(dir);
    expect(second.storage.lastIndex()).toBe(10);
    await second.wal.close();
  });

  it("segments roll over at the size bound, recovery reads across them, releaseTo drops covered ones", async () => {
    const first = await openStorage(dir, { segmentBytesMax: 1024 });
    for (let i = 1; i <= 300; i += 10) {
      await first.wal.save({ term: 1, vote: voter, commit: i - 1 }, entryRange(i, i + 9, 1, 40));
    }
    const segmentCount = first.wal.segmentCount;
    expect(segmentCount).toBeGreaterThan(5);
    expect(await segmentPaths(dir)).toHaveLength(segmentCount);
    await first.wal.close();

    const second = await openStorage(dir, { segmentBytesMax: 1024 });
    expect(logTerms(second.storage)).toHaveLength(300);
    expect(second.report.segmentCount).toBe(segmentCount);
    // Pretend a snapshot covers up to 150: segments wholly below it can go, later ones stay.
    const released = await second.wal.releaseTo(150);
    expect(released).toBeGreaterThan(0);
    expect(second.wal.segmentCount).toBe(segmentCount - released);
    const names = await readdir(join(dir, "wal"));
    const firstIndexes = names.map((n) => Number.parseInt(n.slice(17, 33), 16)).sort((a, b) => a - b);
    // The oldest kept segment's successor starts above 150, so entries 151.. are all kept.
    expect(firstIndexes[1]).toBeGreaterThan(151);
    await second.wal.close();
  });

  it("a missing middle segment refuses to start, naming it", async () => {
    const first = await openStorage(dir, { segmentBytesMax: 512 });
    for (let i = 1; i <= 100; i += 5) await first.wal.save(undefined, entryRange(i, i + 4, 1, 40));
    await first.wal.close();
    const paths = await segmentPaths(dir);
    expect(paths.length).toBeGreaterThan(3);
    await removeDir(paths[2]!);
    await expect(openStorage(dir)).rejects.toThrow(/WAL segment 3 is missing/);
  });

  it("released segments never hide the hard state, which segment headers carry", async () => {
    const first = await openStorage(dir, { segmentBytesMax: 512 });
    await first.wal.save({ term: 7, vote: voter, commit: 3 }, entryRange(1, 5, 7, 40));
    for (let i = 6; i <= 100; i += 5) await first.wal.save(undefined, entryRange(i, i + 4, 7, 40));
    await first.snapshots.saveSnapshot({
      metadata: { index: 90, term: 7, confState },
      data: new Uint8Array(2),
    });
    await first.wal.saveSnapshotMarker({ index: 90, term: 7, installed: false });
    expect(await first.wal.releaseTo(90)).toBeGreaterThan(0);
    await first.wal.close();

    const second = await openStorage(dir);
    // The only batch with a hard state is gone; a snapshot's index is committed by definition.
    expect(second.storage.initialState().hardState).toEqual({ term: 7, vote: voter, commit: 90 });
    expect(logTerms(second.storage).map(([i]) => i)).toEqual([91, 92, 93, 94, 95, 96, 97, 98, 99, 100]);
    await second.wal.close();
  });

  it("entries released without a snapshot to cover them are a gap, and recovery refuses", async () => {
    const first = await openStorage(dir, { segmentBytesMax: 512 });
    for (let i = 1; i <= 100; i += 5) await first.wal.save(undefined, entryRange(i, i + 4, 1, 40));
    await first.wal.releaseTo(90);
    await first.wal.close();
    await expect(openStorage(dir)).rejects.toThrow(/entries in between are in no segment/);
  });
});

describe("snapshots in the WAL across reopen", () => {
  let dir = "";
  beforeEach(async () => {
    dir = await makeTempDir();
  });
  afterEach(async () => {
    await removeDir(dir);
  });

  it("a local snapshot keeps the entries after it; reopen starts from the snapshot", async () => {
    const first = await openStorage(dir);
    await first.wal.save({ term: 3, vote: voter, commit: 80 }, entryRange(1, 100, 3));
    const snapshot = { metadata: { index: 50, term: 3, confState }, data: new Uint8Array([5, 0]) };
    await first.snapshots.saveSnapshot(snapshot);
    await first.wal.saveSnapshotMarker({ index: 50, term: 3, installed: false });
    await first.wal.close();

    const second = await openStorage(dir);
    expect(second.report.snapshot).toEqual({ index: 50, term: 3 });
    expect(second.storage.firstIndex()).toBe(51);
    expect(second.storage.lastIndex()).toBe(100);
    expect(second.storage.snapshot()).toEqual(snapshot);
    expect(second.storage.initialState().confState).toEqual(confState);
    expect(logTerms(second.storage)).toHaveLength(50);
    await second.wal.close();
  });

  it("an installed snapshot voids every entry written before it, even ones above its index", async () => {
    const first = await openStorage(dir);
    // Uncommitted entries 101..200 from a deposed term-5 leader sit above the snapshot's index.
    await first.wal.save({ term: 5, vote: voter, commit: 10 }, [
      ...entryRange(1, 100, 3),
      ...entryRange(101, 200, 5),
    ]);
    const snapshot = { metadata: { index: 150, term: 4, confState }, data: new Uint8Array([1]) };
    await first.snapshots.saveSnapshot(snapshot);
    await first.wal.saveSnapshotMarker({ index: 150, term: 4, installed: true });
    await first.wal.close();

    const second = await openStorage(dir);
    expect(second.storage.firstIndex()).toBe(151);
    expect(second.storage.lastIndex()).toBe(150);
    expect(second.storage.term(150)).toBe(4);
    await second.wal.save({ term: 6, vote: voter, commit: 150 }, entryRange(151, 152, 6));
    await second.wal.close();

    const third = await openStorage(dir);
    expect(logTerms(third.storage)).toEqual([
      [151, 6],
      [152, 6],
    ]);
    await third.wal.close();
  });

  it("a snapshot file written but not yet recorded in the WAL is ignored and removed", async () => {
    const first = await openStorage(dir);
    await first.wal.save({ term: 1, vote: voter, commit: 20 }, entryRange(1, 30, 1));
    await first.snapshots.saveSnapshot({
      metadata: { index: 20, term: 1, confState },
      data: new Uint8Array(3),
    });
    await first.wal.close(); // the crash came before the marker

    const second = await openStorage(dir);
    expect(second.report.snapshot).toBeUndefined();
    expect(second.report.skippedSnapshots).toHaveLength(1);
    expect(second.storage.lastIndex()).toBe(30);
    expect(await readdir(join(dir, "snap"))).toEqual([]);
    await second.wal.close();
  });

  it("snapshot files without any WAL refuse to start", async () => {
    const first = await openStorage(dir);
    await first.snapshots.saveSnapshot({
      metadata: { index: 5, term: 1, confState },
      data: new Uint8Array(1),
    });
    await first.wal.close();
    for (const p of await segmentPaths(dir)) await removeDir(p);
    await expect(openStorage(dir)).rejects.toBeInstanceOf(RecoveryError);
  });
});
