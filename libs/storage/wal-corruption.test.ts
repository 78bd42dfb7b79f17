import { appendFile, readFile, writeFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nodeId } from "../raft/index.js";
import { WalCorruptError } from "./errors.js";
import { openStorage } from "./recovery.js";
import {
  entryRange,
  flipBit,
  makeTempDir,
  recordSpans,
  removeDir,
  segmentPaths,
} from "./test-support/helpers.js";

const voter = nodeId(1);

async function expectRefusal(dir: string, file: string, offsetBytes: number): Promise<void> {
  const before = await readFile(file);
  const err = await openStorage(dir).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WalCorruptError);
  const corrupt = err as WalCorruptError;
  expect(corrupt.file).toBe(file);
  expect(corrupt.offsetBytes).toBe(offsetBytes);
  expect(corrupt.message).toContain(file);
  expect(corrupt.message).toContain(`byte offset ${offsetBytes}`);
  expect(corrupt.message).toMatch(/Restore this member's data directory/);
  // A refusal changes nothing on disk.
  expect(Buffer.compare(await readFile(file), before)).toBe(0);
}

describe("corruption in the middle of the log refuses to start", () => {
  let dir = "";
  let segment = "";
  let original: Uint8Array = new Uint8Array();

  beforeAll(async () => {
    dir = await makeTempDir();
    const { wal } = await openStorage(dir);
    for (let b = 0; b < 4; b++) {
      await wal.save({ term: 1, vote: voter, commit: b * 3 }, entryRange(b * 3 + 1, b * 3 + 3, 1));
    }
    await wal.close();
    segment = (await segmentPaths(dir))[0]!;
    original = await readFile(segment);
  });
  afterAll(async () => {
    await removeDir(dir);
  });

  it("every bit of a middle record's header (length, type, flags, segment, offset, CRCs), flipped, names file and offset", async () => {
    const middle = recordSpans(original)[2]!;
    for (let at = 0; at < 24; at++) {
      for (let bit = 0; bit < 8; bit++) {
        await writeFile(segment, original);
        await flipBit(segment, middle.offset + at, bit);
        await expectRefusal(dir, segment, middle.offset);
      }
    }
  });

  it("a bit flipped at the start, middle or end of a middle record's payload names file and offset", async () => {
    const middle = recordSpans(original)[2]!;
    const payloadBytes = middle.end - middle.offset - 24;
    for (const at of [24, 24 + Math.floor(payloadBytes / 2), 24 + payloadBytes - 1]) {
      for (let bit = 0; bit < 8; bit++) {
        await writeFile(segment, original);
        await flipBit(segment, middle.offset + at, bit);
        await expectRefusal(dir, segment, middle.offset);
      }
    }
  });

  it("a damaged segment header refuses even in the last segment", async () => {
    await writeFile(segment, original);
    await flipBit(segment, 30, 1);
    await expectRefusal(dir, segment, 0);
  });
});

describe("damage in a segment that is not the last refuses to start", () => {
  let dir = "";
  let paths: string[] = [];
  let firstOriginal: Uint8Array = new Uint8Array();

  beforeAll(async () => {
    dir = await makeTempDir();
    const { wal } = await openStorage(dir, { segmentBytesMax: 600 });
    for (let i = 1; i <= 60; i += 3)
      await wal.save({ term: 1, vote: voter, commit: i }, entryRange(i, i + 2, 1, 40));
    await wal.close();
    paths = await segmentPaths(dir);
    expect(paths.length).toBeGreaterThanOrEqual(3);
    firstOriginal = await readFile(paths[0]!);
  });
  afterAll(async () => {
    await removeDir(dir);
  });

  it("its last record cut short (which would be a torn tail in the last segment)", async () => {
    const lastSpan = recordSpans(firstOriginal).at(-1)!;
    await writeFile(paths[0]!, firstOriginal.subarray(0, firstOriginal.byteLength - 1));
    await expectRefusal(dir, paths[0]!, lastSpan.offset);
  });

  it("a bit flipped in its last record", async () => {
    const lastSpan = recordSpans(firstOriginal).at(-1)!;
    await writeFile(paths[0]!, firstOriginal);
    await flipBit(paths[0]!, lastSpan.offset + 40, 6);
    await expectRefusal(dir, paths[0]!, lastSpan.offset);
  });

  it("zeros after its last record", async () => {
    await writeFile(paths[0]!, firstOriginal);
    await appendFile(paths[0]!, new Uint8Array(100));
    await expectRefusal(dir, paths[0]!, firstOriginal.byteLength);
  });
});
