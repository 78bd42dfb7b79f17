import { describe, expect, it } from "vitest";
import { type Command, latin1ToBytes, leaseId } from "../../../libs/mvcc/index.js";
import { type Entry, encodeConfChange, type NodeId, nodeId } from "../../../libs/raft/index.js";
import { utf8 } from "../hash.js";
import { decodeEnvelope, encodeEnvelope } from "./envelope.js";
import { type AppliedCommand, MvccStateMachine, type StoreApplyListener } from "./mvcc-state-machine.js";

const N1 = nodeId(1);

function put(key: string, value: string, lease = 0): Command {
  return {
    type: "put",
    put: {
      key: latin1ToBytes(key),
      value: latin1ToBytes(value),
      ...(lease > 0 ? { lease: leaseId(lease) } : {}),
    },
  };
}

/** A log as the simulator hands it over: a conf change, a leader's empty entry, client commands. */
function log(): Entry[] {
  const cmds: Command[] = [
    { type: "leaseGrant", leaseGrant: { id: leaseId(0), ttlSec: 60 } },
    put("/k/a", "1"),
    put("/k/b", "2"),
    put("/l/x", "3", 3),
    { type: "deleteRange", deleteRange: { key: latin1ToBytes("/k/a") } },
    {
      type: "txn",
      txn: {
        compare: [
          { key: latin1ToBytes("/k/b"), target: "value", result: "equal", value: latin1ToBytes("2") },
        ],
        success: [{ type: "put", put: { key: latin1ToBytes("/k/b"), value: latin1ToBytes("swapped") } }],
        failure: [],
      },
    },
    { type: "compact", compact: { revision: 3 } },
    { type: "leaseRevoke", leaseRevoke: { id: leaseId(3) } },
    put("/k/c", "4"),
  ];
  const cc: Entry = {
    term: 1,
    index: 1,
    type: "confChange",
    data: encodeConfChange({ type: "addVoter", nodeId: N1, context: new Uint8Array(0) }),
  };
  const empty: Entry = { term: 2, index: 2, type: "normal", data: new Uint8Array(0) };
  const clients = cmds.map(
    (c, i): Entry => ({ term: 2, index: i + 3, type: "normal", data: encodeEnvelope(7, 100 + i, c) }),
  );
  return [cc, empty, ...clients, { term: 2, index: cmds.length + 3, type: "normal", data: utf8("live:0") }];
}

class Recording implements StoreApplyListener {
  readonly seen: Array<{ node: NodeId; index: number; kind: string | undefined }> = [];
  readonly commands: AppliedCommand[] = [];
  onApply(node: NodeId, entry: Entry, cmd: AppliedCommand | undefined): void {
    this.seen.push({ node, index: entry.index, kind: cmd?.result.kind });
    if (cmd !== undefined) this.commands.push(cmd);
  }
}

describe("client envelope", () => {
  it("round-trips client id, request id and command bytes; other payloads are not envelopes", () => {
    const data = encodeEnvelope(12, 3456, put("/k", "v"));
    const env = decodeEnvelope(data);
    expect(env?.clientId).toBe(12);
    expect(env?.requestId).toBe(3456);
    expect(decodeEnvelope(utf8("live:3"))).toBeUndefined();
    expect(decodeEnvelope(utf8("p:12"))).toBeUndefined();
    expect(decodeEnvelope(utf8("p:1.|x"))).toBeUndefined();
    expect(decodeEnvelope(new Uint8Array(0))).toBeUndefined();
  });
});

describe("MvccStateMachine", () => {
  it("applies client commands with the entry index and answers with the store's results", () => {
    const rec = new Recording();
    const sm = new MvccStateMachine(N1, rec);
    for (const e of log()) sm.apply(e);
    expect(sm.store.consistentIndex).toBe(12);
    expect(rec.commands.map((c) => [c.index, c.envelope.requestId, c.result.kind])).toEqual([
      [3, 100, "applied"],
      [4, 101, "applied"],
      [5, 102, "applied"],
      [6, 103, "applied"],
      [7, 104, "applied"],
      [8, 105, "applied"],
      [9, 106, "applied"],
      [10, 107, "applied"],
      [11, 108, "applied"],
    ]);
    // The lease id is derived from the grant's entry index; its revoke reports the attached keys.
    const grant = rec.commands[0]!.result;
    expect(
      grant.kind === "applied" && grant.response.type === "leaseGrant" && grant.response.leaseGrant.id,
    ).toBe(3);
    expect(rec.commands[7]!.revokedKeys).toEqual(["/l/x"]);
  });

  it("is idempotent: entries replayed after a restart are already applied and change nothing", () => {
    const rec = new Recording();
    const sm = new MvccStateMachine(N1, rec);
    const entries = log();
    for (const e of entries) sm.apply(e);
    const hash = sm.hash();
    const revision = sm.store.currentRevision;
    rec.seen.length = 0;
    for (const e of entries.slice(2)) sm.replay(e);
    expect(sm.hash()).toBe(hash);
    expect(sm.store.currentRevision).toBe(revision);
    expect(sm.replays).toBe(entries.length - 2);
    expect(rec.seen.filter((s) => s.kind !== undefined).every((s) => s.kind === "alreadyApplied")).toBe(true);
  });

  it("restores from its snapshot to the same hash, and a replay over the restored store changes nothing", () => {
    const entries = log();
    const a = new MvccStateMachine(N1, undefined, { snapshotChunkBytes: 16, restoreChunkBytes: 7 });
    for (const e of entries.slice(0, 8)) a.apply(e);
    const snap = a.snapshot();
    for (const e of entries.slice(8)) a.apply(e);

    const b = new MvccStateMachine(nodeId(2), undefined, { restoreChunkBytes: 5 });
    b.restore(snap);
    expect(b.store.consistentIndex).toBe(8);
    for (const e of entries) b.apply(e); // 1..8 are replays, 9.. are new
    expect(b.hash()).toBe(a.hash());
    expect(b.replays).toBe(8);
  });

  it("hash() changes with the state and agrees between members at the same index", () => {
    const a = new MvccStateMachine(N1, undefined);
    const b = new MvccStateMachine(nodeId(2), undefined);
    const entries = log();
    const hashes = new Set<string>();
    for (const e of entries) {
      a.apply(e);
      b.apply(e);
      expect(b.hash()).toBe(a.hash());
      hashes.add(a.hash());
    }
    expect(hashes.size).toBe(entries.length);
  });

  it("restoring empty data yields the empty store", () => {
    const sm = new MvccStateMachine(N1, undefined);
    const fresh = sm.hash();
    for (const e of log()) sm.apply(e);
    sm.restore(new Uint8Array(0));
    expect(sm.hash()).toBe(fresh);
  });
});
