import { describe, expect, it } from "vitest";
import {
  type Command,
  latin1ToBytes,
  type WatchEvent,
  type WatchResponse,
} from "../../../libs/mvcc/index.js";
import { type Entry, nodeId } from "../../../libs/raft/index.js";
import { encodeEnvelope } from "./envelope.js";
import { MvccStateMachine } from "./mvcc-state-machine.js";
import { ReferenceHistory } from "./reference-history.js";
import { WatchContinuity } from "./watch-continuity.js";

const ALL = new Uint8Array([0]);

function put(key: string, value: string): Command {
  return { type: "put", put: { key: latin1ToBytes(key), value: latin1ToBytes(value) } };
}

/** Revisions 2..7: puts, a two-key txn (one revision, two events), a delete. */
function entries(): Entry[] {
  const cmds: Command[] = [
    put("/a", "1"),
    put("/b", "1"),
    {
      type: "txn",
      txn: {
        compare: [],
        success: [
          { type: "put", put: { key: latin1ToBytes("/a"), value: latin1ToBytes("2") } },
          { type: "put", put: { key: latin1ToBytes("/c"), value: latin1ToBytes("1") } },
        ],
        failure: [],
      },
    },
    { type: "deleteRange", deleteRange: { key: latin1ToBytes("/b") } },
    put("/b", "2"),
    put("/a", "3"),
  ];
  return cmds.map((c, i) => ({ term: 1, index: i + 1, type: "normal", data: encodeEnvelope(1, i, c) }));
}

/** A reference history, and a member's store with a watcher over every key from revision 1. */
function setup(prevKv = false): {
  ref: ReferenceHistory;
  responses: WatchResponse[];
  member: MvccStateMachine;
} {
  const ref = new ReferenceHistory();
  const feeder = new MvccStateMachine(nodeId(1), ref);
  const member = new MvccStateMachine(nodeId(2), undefined);
  const w = member.store.watches.watch({ key: ALL, rangeEnd: ALL, startRevision: 1, prevKv });
  for (const e of entries()) {
    feeder.apply(e);
    member.apply(e);
  }
  member.store.watches.syncUnsynced(1000);
  return { ref, responses: w.poll(), member };
}

function eventsOf(r: WatchResponse | undefined): readonly WatchEvent[] {
  if (r?.kind !== "events") throw new Error(`expected an events response, got ${r?.kind}`);
  return r.events;
}

/** Feeds responses; returns the first problem found. */
function run(check: WatchContinuity, responses: readonly (readonly WatchEvent[])[]): string | undefined {
  for (const evs of responses) {
    const p = check.deliver(evs, 0);
    if (p !== undefined) return p;
  }
  return undefined;
}

describe("watch continuity", () => {
  it("accepts the store's own watch stream: every event once, in order, with its revision's siblings", () => {
    const { ref, responses } = setup();
    const check = new WatchContinuity(ref, 1, false);
    expect(run(check, responses.map(eventsOf))).toBeUndefined();
    expect(check.checked).toBe(ref.events.length);
    expect(check.checked).toBe(7);
    expect(check.missingThrough(7)).toBeUndefined();
    expect(check.nextRevision).toBe(8);
  });

  it("catches a dropped event", () => {
    const { ref, responses } = setup();
    const evs = responses.map(eventsOf);
    const dropped = [...evs.slice(0, 2), ...evs.slice(3)];
    expect(run(new WatchContinuity(ref, 1, false), dropped)).toMatch(/gap: put "\/a"@4 was never delivered/);
  });

  it("catches a duplicated event, and one delivered out of order", () => {
    const { ref, responses } = setup();
    const evs = responses.map(eventsOf);
    const duplicated = [...evs.slice(0, 3), evs[2]!, ...evs.slice(3)];
    expect(run(new WatchContinuity(ref, 1, false), duplicated)).toMatch(
      /duplicate or out-of-order event put "\/a"@4/,
    );
    const swapped = [evs[1]!, evs[0]!, ...evs.slice(2)];
    expect(run(new WatchContinuity(ref, 1, false), swapped)).toMatch(/gap: put "\/a"@2/);
  });

  it("catches a revision split over two responses (one event of a txn lost)", () => {
    const { ref, responses } = setup();
    const evs = responses.map(eventsOf);
    const txn = evs[2]!;
    expect(txn).toHaveLength(2);
    const split = [evs[0]!, evs[1]!, [txn[0]!], ...evs.slice(3)];
    expect(run(new WatchContinuity(ref, 1, false), split)).toMatch(/revision 4 arrived without put "\/c"@4/);
  });

  it("catches a changed value and a wrong prev_kv", () => {
    const { ref, responses } = setup(true);
    const evs = responses.map(eventsOf);
    const first = evs[0]![0]!;
    const tampered: WatchEvent = { ...first, kv: { ...first.kv, value: latin1ToBytes("x") } };
    expect(run(new WatchContinuity(ref, 1, true), [[tampered]])).toMatch(/differs from the reference/);
    const later = evs[2]![0]!;
    // The txn's put of "/a" carrying "/b"'s kv as its previous value.
    const wrongPrev: WatchEvent = { ...later, prevKv: evs[1]![0]!.kv };
    expect(run(new WatchContinuity(ref, 1, true), [evs[0]!, evs[1]!, [wrongPrev, evs[2]![1]!]])).toMatch(
      /prev_kv .* differs/,
    );
    // prev_kv not asked for but delivered.
    expect(run(new WatchContinuity(ref, 1, false), [evs[0]!, evs[1]!, evs[2]!])).toMatch(/not asked for/);
  });

  it("checks continuity across a resume: from the last revision + 1 is seamless, anything else is not", () => {
    const { ref, responses, member } = setup();
    const evs = responses.map(eventsOf);
    const check = new WatchContinuity(ref, 1, false);
    expect(run(check, evs.slice(0, 3))).toBeUndefined();
    // Resume on the same store from where the stream stopped.
    const resumed = member.store.watches.watch({
      key: ALL,
      rangeEnd: ALL,
      startRevision: check.nextRevision,
    });
    member.store.watches.syncUnsynced(1000);
    expect(run(check, resumed.poll().map(eventsOf))).toBeUndefined();
    expect(check.missingThrough(member.store.currentRevision)).toBeUndefined();

    // A resume that skips a revision leaves a gap.
    const skipping = new WatchContinuity(ref, 1, false);
    expect(run(skipping, evs.slice(0, 3))).toBeUndefined();
    const bad = member.store.watches.watch({
      key: ALL,
      rangeEnd: ALL,
      startRevision: skipping.nextRevision + 1,
    });
    member.store.watches.syncUnsynced(1000);
    expect(run(skipping, bad.poll().map(eventsOf))).toMatch(/gap: delete "\/b"@5/);
  });

  it("reports what a stream that stopped early never delivered", () => {
    const { ref, responses } = setup();
    const check = new WatchContinuity(ref, 1, false);
    run(check, responses.map(eventsOf).slice(0, 4));
    expect(check.missingThrough(7)?.revision).toBe(6);
  });

  it("a stream started in the future skips reference events appended below its start", () => {
    const ref = new ReferenceHistory();
    const check = new WatchContinuity(ref, 4, false);
    const feeder = new MvccStateMachine(nodeId(1), ref);
    for (const e of entries()) feeder.apply(e);
    const later = ref.events.filter((e) => e.revision >= 4);
    expect(check.missingThrough(7)?.revision).toBe(4);
    expect(later.length).toBeGreaterThan(0);
  });
});
