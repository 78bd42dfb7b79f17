import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { nodeId } from "../raft/index.js";
import { WalClosedError, WalFailedError, WalQueueFullError } from "./errors.js";
import { nodeFs, type StorageFs } from "./fs.js";
import { openStorage } from "./recovery.js";
import { entryRange, makeTempDir, removeDir } from "./test-support/helpers.js";

/** Real files, but the n-th fdatasync (counting from `arm()`) fails like a dying disk. */
function failingFs(): StorageFs & { arm(n: number): void } {
  let countdown = Number.POSITIVE_INFINITY;
  return {
    ...nodeFs,
    arm(n: number) {
      countdown = n;
    },
    async open(path, mode) {
      const file = await nodeFs.open(path, mode);
      return {
        write: (b, p) => file.write(b, p),
        truncate: (n) => file.truncate(n),
        close: () => file.close(),
        async datasync() {
          countdown--;
          if (countdown === 0) throw Object.assign(new Error("EIO: i/o error, fdatasync"), { code: "EIO" });
          await file.datasync();
        },
      };
    },
  };
}

describe("WAL failure handling", () => {
  let dir = "";
  beforeEach(async () => {
    dir = await makeTempDir();
  });
  afterEach(async () => {
    await removeDir(dir);
  });

  it("after a failed fsync every later save is refused, and recovery keeps what was durable", async () => {
    const fs = failingFs();
    const { wal } = await openStorage(dir, { fs });
    await wal.save({ term: 1, vote: nodeId(1), commit: 0 }, entryRange(1, 5, 1));
    fs.arm(1);
    const failed = await wal.save(undefined, entryRange(6, 6, 1)).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(WalFailedError);
    expect((failed as WalFailedError).cause).toMatchObject({ code: "EIO" });
    await expect(wal.save(undefined, entryRange(7, 7, 1))).rejects.toBeInstanceOf(WalFailedError);
    await wal.close();
    await expect(wal.save(undefined, entryRange(7, 7, 1))).rejects.toBeInstanceOf(WalClosedError);

    const again = await openStorage(dir);
    // Entry 6 was written before its fsync failed: it may or may not be there, 1..5 must be.
    expect(again.storage.lastIndex()).toBeGreaterThanOrEqual(5);
    await again.wal.close();
  });

  it("saves beyond the queue bound are refused at once instead of piling up", async () => {
    const { wal } = await openStorage(dir, { queueDepthMax: 2 });
    const first = wal.save(undefined, entryRange(1, 1, 1));
    const second = wal.save(undefined, entryRange(2, 2, 1));
    await expect(wal.save(undefined, entryRange(3, 3, 1))).rejects.toBeInstanceOf(WalQueueFullError);
    await Promise.all([first, second]);
    await wal.save(undefined, entryRange(3, 3, 1));
    await wal.close();
  });

  it("lowering recordBytesMax never turns an old large record into a torn tail", async () => {
    const first = await openStorage(dir);
    await first.wal.save(undefined, entryRange(1, 3, 1, 4000));
    await first.wal.close();
    const second = await openStorage(dir, { recordBytesMax: 1024 });
    expect(second.storage.lastIndex()).toBe(3);
    expect(second.report.tornTail).toBeUndefined();
    await second.wal.close();
  });
});
