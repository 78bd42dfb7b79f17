import { appendFile, readFile, stat, writeFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nodeId } from "../raft/index.js";
import { openStorage } from "./recovery.js";
import {
  captureLogger,
  entryRange,
  flipBit,
  logTerms,
  makeTempDir,
  type RecordSpan,
  recordSpans,
  removeDir,
  segmentPaths,
} from "./test-support/helpers.js";

const voter = nodeId(1);

/** Four batches of three entries each (1..12), each with its own commit index. */
async function writeFourBatches(dir: string, fsync = true): Promise<void> {
  const { wal } = await openStorage(dir, { fsync });
  for (let b = 0; b < 4; b++) {
    await wal.save({ term: 2, vote: voter, commit: b * 3 }, entryRange(b * 3 + 1, b * 3 + 3, 2));
  }
  await wal.close();
}

describe("torn tail of the last segment", () => {
  let dir = "";
  let segment = "";
  let original: Uint8Array = new Uint8Array();
  let last: RecordSpan = { offset: 0, end: 0, type: 0 };

  beforeAll(async () => {
    dir = await makeTempDir();
    await writeFourBatches(dir);
    segment = (await segmentPaths(dir))[0]!;
    original = await readFile(segment);
    const spans = recordSpans(original);
    expect(spans.map((s) => s.type)).toEqual([1, 2, 2, 2, 2]);
    expect(spans.at(-1)!.end).toBe(original.byteLength);
    last = spans.at(-1)!;
  });
  afterAll(async () => {
    await removeDir(dir);
  });

  /** Recovery must land exactly on the third batch: entries 1..9, commit 6. */
  async function expectThirdBatchRecovered(sizeOnDisk: number, dropped: number): Promise<void> {
    const logger = captureLogger();
    const { storage, wal, report } = await openStorage(dir, { logger });
    expect(storage.lastIndex()).toBe(9);
    expect(storage.initialState().hardState).toEqual({ term: 2, vote: voter, commit: 6 });
    expect(logTerms(storage)).toHaveLength(9);
    if (dropped === 0) {
      expect(report.tornTail).toBeUndefined();
    } else {
      expect(report.tornTail).toMatchObject({
        file: segment,
        offsetBytes: last.offset,
        droppedBytes: dropped,
      });
      expect(logger.warnings.join("\n")).toContain(`byte offset ${last.offset}`);
    }
    await wal.close();
    expect((await stat(segment)).size).toBe(sizeOnDisk);
  }

  it("cutting the last record at every byte offset recovers up to the previous record and reports the cut", async () => {
    for (let cut = last.offset; cut < last.end; cut++) {
      await writeFile(segment, original.subarray(0, cut));
      await expectThirdBatchRecovered(last.offset, cut - last.offset);
    }
  });

  it("a bit flipped in any region of the last record is a torn tail: cut and reported", async () => {
    const regions = [
      0,
      4,
      5,
      8,
      12,
      16,
      20,
      24,
      Math.floor((24 + last.end - last.offset) / 2),
      last.end - last.offset - 1,
    ];
    for (const at of regions) {
      await writeFile(segment, original);
      await flipBit(segment, last.offset + at, 3);
      await expectThirdBatchRecovered(last.offset, last.end - last.offset);
    }
  });

  it("zero-filled space after the last record reads as the end of the log", async () => {
    await writeFile(segment, original);
    await appendFile(segment, new Uint8Array(64 * 1024));
    const { storage, wal, report } = await openStorage(dir);
    expect(storage.lastIndex()).toBe(12);
    expect(report.tornTail?.reason).toMatch(/zero-filled/);
    await wal.close();
    expect((await stat(segment)).size).toBe(original.byteLength);
  });

  it("garbage after the last record is cut off and writing resumes after the last intact record", async () => {
    await writeFile(segment, original);
    await appendFile(
      segment,
      Uint8Array.from({ length: 300 }, (_, i) => (i * 89 + 7) & 0xff),
    );
    const first = await openStorage(dir);
    expect(first.storage.lastIndex()).toBe(12);
    expect(first.report.tornTail?.offsetBytes).toBe(original.byteLength);
    await first.wal.save({ term: 3, vote: voter, commit: 12 }, entryRange(13, 14, 3));
    await first.wal.close();
    const second = await openStorage(dir);
    expect(logTerms(second.storage).at(-1)).toEqual([14, 3]);
    expect(second.report.tornTail).toBeUndefined();
    await second.wal.close();
  });
});

describe("torn tail with writes that were never fsynced", () => {
  let dir = "";
  beforeAll(async () => {
    dir = await makeTempDir();
  });
  afterAll(async () => {
    await removeDir(dir);
  });

  it("intact unsynced records after a damaged one are dropped with it (they reach disk in any order)", async () => {
    await writeFourBatches(dir, false);
    const segment = (await segmentPaths(dir))[0]!;
    const spans = recordSpans(await readFile(segment));
    await flipBit(segment, spans[2]!.offset + 30, 0);
    const { storage, wal, report } = await openStorage(dir);
    expect(storage.lastIndex()).toBe(3);
    expect(report.tornTail?.offsetBytes).toBe(spans[2]!.offset);
    expect(report.tornTail?.reason).toMatch(/never fsynced/);
    await wal.close();
  });
});
