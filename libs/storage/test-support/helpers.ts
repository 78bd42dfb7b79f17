/**
 * Shared by the storage tests: temporary directories, deterministic entries, and a reader
 * of the record framing written from the format description (not from the writer's code),
 * so the tests also pin the on-disk format.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { MemoryStorage } from "../../raft/storage.js";
import type { Entry } from "../../raft/types.js";
import type { StorageLogger } from "../fs.js";

export async function makeTempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), "flotilla-storage-"));
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/** The data an entry at (index, term) carries in every test, so content is checkable anywhere. */
export function entryData(index: number, term: number, bytes = 24): Uint8Array {
  const data = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i++) data[i] = (index * 31 + term * 7 + i) & 0xff;
  return data;
}

export function entry(index: number, term: number, bytes = 24): Entry {
  return {
    index,
    term,
    type: index % 7 === 0 ? "confChange" : "normal",
    data: entryData(index, term, bytes),
  };
}

/** Entries first..last (inclusive), all of one term. */
export function entryRange(first: number, last: number, term: number, bytes = 24): Entry[] {
  const out: Entry[] = [];
  for (let i = first; i <= last; i++) out.push(entry(i, term, bytes));
  return out;
}

/** Every (index, term) the storage holds in [firstIndex, lastIndex], with its data checked. */
export function logTerms(storage: MemoryStorage): Array<[number, number]> {
  const ents = storage.entries(storage.firstIndex(), storage.lastIndex() + 1, Number.MAX_SAFE_INTEGER);
  if (typeof ents === "string") throw new Error(`storage answered ${ents}`);
  return ents.map((e) => {
    const expected = entryData(e.index, e.term, e.data.byteLength);
    if (Buffer.compare(Buffer.from(e.data), Buffer.from(expected)) !== 0) {
      throw new Error(`entry ${e.index} carries the wrong data`);
    }
    return [e.index, e.term];
  });
}

export async function segmentPaths(dir: string): Promise<string[]> {
  const names = (await readdir(join(dir, "wal"))).filter((n) => n.endsWith(".wal")).sort();
  return names.map((n) => join(dir, "wal", n));
}

export interface RecordSpan {
  readonly offset: number;
  readonly end: number;
  readonly type: number;
}

/** Walks a segment by its framing: a 24-byte header whose first u32 is the payload length. */
export function recordSpans(bytes: Uint8Array): RecordSpan[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const spans: RecordSpan[] = [];
  for (let at = 0; at + 24 <= bytes.byteLength; ) {
    const end = at + 24 + view.getUint32(at, true);
    spans.push({ offset: at, end, type: view.getUint8(at + 4) });
    at = end;
  }
  return spans;
}

export async function flipBit(path: string, offsetBytes: number, bit: number): Promise<void> {
  const bytes = await readFile(path);
  bytes[offsetBytes] = bytes[offsetBytes]! ^ (1 << bit);
  await writeFile(path, bytes);
}

/** A logger that keeps what it was told, for asserting on reports. */
export function captureLogger(): StorageLogger & { warnings: string[]; infos: string[] } {
  const warnings: string[] = [];
  const infos: string[] = [];
  return { warnings, infos, info: (m) => infos.push(m), warn: (m) => warnings.push(m) };
}
