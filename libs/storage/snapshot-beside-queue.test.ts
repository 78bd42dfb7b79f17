/**
 * A local snapshot's file (megabytes and an fsync) is written beside the persist queue, so
 * the Ready loop's WAL writes never wait for it. These tests hold the snapshot's fsync open
 * with a gate and check what may and may not happen meanwhile.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { nodeId } from "../raft/index.js";
import { DurableStorage } from "./durable-storage.js";
import { nodeFs, type StorageFs } from "./fs.js";
import { entryRange, makeTempDir, removeDir } from "./test-support/helpers.js";

const confState = { voters: [nodeId(1), nodeId(2), nodeId(3)], learners: [] };

/** nodeFs, except that the first snapshot file's fdatasync waits until `release()`. */
function gatedFs(): { fs: StorageFs; reached: Promise<void>; release: () => void } {
  let reachedGate!: () => void;
  let openGate!: () => void;
  const reached = new Promise<void>((r) => (reachedGate = r));
  const gate = new Promise<void>((r) => (openGate = r));
  let gated = false;
  const fs: StorageFs = {
    ...nodeFs,
    async open(path, mode) {
      const file = await nodeFs.open(path, mode);
      if (gated || !path.includes("/snap/")) return file;
      gated = true;
      return {
        ...file,
        write: (b, at) => file.write(b, at),
        truncate: (n) => file.truncate(n),
        close: () => file.close(),
        async datasync() {
          reachedGate();
          await gate;
          await file.datasync();
        },
      };
    },
  };
  return { fs, reached, release: openGate };
}

/** "pending" if `p` has not settled within 50 ms (used only where it cannot settle yet). */
async function stateOf(p: Promise<unknown>): Promise<"settled" | "pending"> {
  return Promise.race([
    p.then(() => "settled" as const),
    new Promise<"pending">((r) => setTimeout(() => r("pending"), 50)),
  ]);
}

/** `p`, or a failure naming `what` if it has not settled in 10 s (it would hang if blocked). */
async function within<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within 10 s`)), 10_000);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

describe("a local snapshot written beside the persist queue", () => {
  let dir = "";
  beforeEach(async () => {
    dir = await makeTempDir();
  });
  afterEach(async () => {
    await removeDir(dir);
  });

  it("Ready batches are persisted while its fsync hangs; it is recorded once durable, and survives reopen", async () => {
    const g = gatedFs();
    const ds = await DurableStorage.open(dir, { fs: g.fs });
    await ds.persist(
      { hardState: { term: 1, vote: nodeId(1), commit: 10 }, entries: entryRange(1, 10, 1) },
      true,
    );

    const snapshot = ds.createSnapshot(8, confState, new Uint8Array([8, 8, 8]));
    await g.reached;
    // The WAL keeps moving while the snapshot file waits for its fsync.
    const next = ds.persist(
      { hardState: { term: 1, vote: nodeId(1), commit: 20 }, entries: entryRange(11, 20, 1) },
      true,
    );
    await within(next, "a persist while the snapshot's fsync is held");
    expect(ds.storage.lastIndex()).toBe(20);
    // Nothing refers to the snapshot before its file is durable.
    expect(await stateOf(snapshot)).toBe("pending");
    expect(ds.storage.snapshot()).not.toMatchObject({ metadata: { index: 8 } });

    g.release();
    expect(await snapshot).toMatchObject({ metadata: { index: 8, term: 1 } });
    await ds.close();

    const reopened = await DurableStorage.open(dir);
    expect(reopened.storage.snapshot()).toMatchObject({
      metadata: { index: 8, term: 1 },
      data: new Uint8Array([8, 8, 8]),
    });
    expect(reopened.storage.lastIndex()).toBe(20);
    await reopened.close();
  });

  it("a newer snapshot installed from the leader meanwhile wins: the local one is out of date", async () => {
    const g = gatedFs();
    const ds = await DurableStorage.open(dir, { fs: g.fs });
    await ds.persist(
      { hardState: { term: 1, vote: nodeId(1), commit: 10 }, entries: entryRange(1, 10, 1) },
      true,
    );

    const local = ds.createSnapshot(8, confState, new Uint8Array([8]));
    await g.reached;
    const installed = { metadata: { index: 30, term: 2, confState }, data: new Uint8Array([30]) };
    await ds.persist(
      { snapshot: installed, hardState: { term: 2, vote: nodeId(2), commit: 30 }, entries: [] },
      true,
    );

    g.release();
    expect(await local).toBe("outOfDate");
    expect(ds.storage.snapshot()).toMatchObject({ metadata: { index: 30, term: 2 } });
    await ds.close();

    const reopened = await DurableStorage.open(dir);
    expect(reopened.storage.snapshot()).toMatchObject({
      metadata: { index: 30, term: 2 },
      data: new Uint8Array([30]),
    });
    expect(reopened.storage.firstIndex()).toBe(31);
    await reopened.close();
  });

  it("close waits for a snapshot file still being written, and for its record", async () => {
    const g = gatedFs();
    const ds = await DurableStorage.open(dir, { fs: g.fs });
    await ds.persist(
      { hardState: { term: 1, vote: nodeId(1), commit: 5 }, entries: entryRange(1, 5, 1) },
      true,
    );
    const snapshot = ds.createSnapshot(5, confState, new Uint8Array([5]));
    await g.reached;
    const closed = ds.close();
    expect(await stateOf(closed)).toBe("pending");
    g.release();
    await closed;
    expect(await snapshot).toMatchObject({ metadata: { index: 5 } });
    const reopened = await DurableStorage.open(dir);
    expect(reopened.storage.snapshot()).toMatchObject({ metadata: { index: 5 } });
    expect(reopened.storage.lastIndex()).toBe(5);
    await reopened.close();
  });
});
