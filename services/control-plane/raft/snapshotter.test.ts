/**
 * The Snapshotter takes the state machine's frozen state synchronously at the applied index,
 * then reads its chunks one per turn of the event loop, so that a large state never holds up
 * the Ready loop; the result is durable, decodable, and compacts the log.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { nodeId } from "../../../libs/raft/index.js";
import { DurableStorage } from "../../../libs/storage/index.js";
import { decodeSnapshotData } from "./snapshot-data.js";
import { Snapshotter } from "./snapshotter.js";

const confState = { voters: [nodeId(1)], learners: [] };
const members = [{ id: 1, url: "127.0.0.1:1" }];

function entries(
  first: number,
  last: number,
): Array<{ index: number; term: number; type: "normal"; data: Uint8Array }> {
  return Array.from({ length: last - first + 1 }, (_, i) => ({
    index: first + i,
    term: 1,
    type: "normal" as const,
    data: new Uint8Array([first + i]),
  }));
}

describe("Snapshotter", () => {
  let dir = "";
  let storage: DurableStorage;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "flotilla-snapshotter-"));
    storage = await DurableStorage.open(dir);
    await storage.persist(
      { hardState: { term: 1, vote: nodeId(1), commit: 12 }, entries: entries(1, 12) },
      true,
    );
  });
  afterEach(async () => {
    await storage.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("reads the state's chunks one per event-loop turn, then stores them and compacts the log", async () => {
    const order: string[] = [];
    const logs: string[] = [];
    const errors: unknown[] = [];
    const s = new Snapshotter(
      storage,
      10,
      2,
      (e) => errors.push(e),
      (m) => logs.push(m),
    );
    const chunks = ["state ", "in ", "pieces"].map((t) => new TextEncoder().encode(t));
    function* state(): Generator<Uint8Array> {
      for (const [i, c] of chunks.entries()) {
        order.push(`chunk ${i}`);
        yield c;
      }
    }

    let turns = 0;
    const tick = (): void => {
      order.push("other work");
      if (++turns < 4) setImmediate(tick);
    };
    setImmediate(tick);
    s.maybeSnapshot(12, confState, members, state);
    // Not due again while one is being made.
    s.maybeSnapshot(12, confState, members, () => {
      throw new Error("a second snapshot was started while the first was in flight");
    });
    await s.drain();

    expect(errors).toEqual([]);
    // Other work ran between the chunks: the encoding never held the event loop.
    expect(order.slice(0, 5)).toEqual(["chunk 0", "other work", "chunk 1", "other work", "chunk 2"]);
    const snap = storage.storage.snapshot();
    if (typeof snap === "string") throw new Error(`no snapshot: ${snap}`);
    expect(snap.metadata).toMatchObject({ index: 12, term: 1, confState });
    const data = decodeSnapshotData(snap.data);
    expect(data.members).toEqual(members);
    expect(new TextDecoder().decode(data.state)).toBe("state in pieces");
    expect(storage.storage.firstIndex()).toBe(11);
    expect(logs.join("\n")).toMatch(/snapshot at 12 \(\d+ bytes, encoded in \d+ ms, written in \d+ ms\)/);
  });

  it("does nothing before `everyEntries` entries have been applied since the last snapshot", async () => {
    const s = new Snapshotter(
      storage,
      20,
      2,
      (e) => {
        throw e;
      },
      () => {},
    );
    s.maybeSnapshot(12, confState, members, () => {
      throw new Error("state read although no snapshot was due");
    });
    await s.drain();
    expect(storage.storage.snapshot()).not.toMatchObject({ metadata: { index: 12 } });
  });
});
