import { describe, expect, it } from "vitest";
import { latin1ToBytes as b, bytesToLatin1, MvccStore } from "../index.js";

const ALL = new Uint8Array([0]);

function history(s: MvccStore, from: number): string[] {
  const w = s.watches.watch({ key: ALL, rangeEnd: ALL, startRevision: from });
  s.watches.syncUnsynced(1000);
  return w
    .poll()
    .flatMap((r) =>
      r.kind === "events"
        ? r.events.map((e) => `${e.type} ${bytesToLatin1(e.kv.key)}@${e.kv.modRevision}`)
        : [r.kind],
    );
}

/** put /a @2, delete /a @3, put /b @4. */
function withDeleteAt3(): MvccStore {
  const s = new MvccStore();
  s.apply(1, { type: "put", put: { key: b("/a"), value: b("1") } });
  s.apply(2, { type: "deleteRange", deleteRange: { key: b("/a") } });
  s.apply(3, { type: "put", put: { key: b("/b"), value: b("1") } });
  return s;
}

describe("compaction at the revision of a delete (etcd-io/etcd#18089)", () => {
  it("keeps the delete for watches from the compact revision, on the compacting member and in its snapshot", () => {
    const s = withDeleteAt3();
    s.apply(4, { type: "compact", compact: { revision: 3 } });
    expect(history(s, 3)).toEqual(["delete /a@3", "put /b@4"]);
    const restored = new MvccStore();
    restored.restore(s.snapshot());
    expect(history(restored, 3)).toEqual(["delete /a@3", "put /b@4"]);
    expect(restored.hashKv(4)).toEqual(s.hashKv(4));
  });

  it("drops the delete at the next compaction above it", () => {
    const s = withDeleteAt3();
    s.apply(4, { type: "compact", compact: { revision: 3 } });
    s.apply(5, { type: "compact", compact: { revision: 4 } });
    expect(history(s, 4)).toEqual(["put /b@4"]);
    const restored = new MvccStore();
    restored.restore(s.snapshot());
    expect(history(restored, 4)).toEqual(["put /b@4"]);
    expect(s.keyCount).toBe(restored.keyCount);
  });
});
