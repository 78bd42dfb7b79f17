/** Raft messages of every shape the peer codecs must carry, shared by their tests. */
import { msg, nodeId } from "../../../../libs/raft/index.js";

const n = nodeId;
export const bytes = (...b: number[]): Uint8Array => new Uint8Array(b);

export const app = msg({
  type: "MsgApp",
  to: n(2),
  from: n(1),
  term: 5,
  logTerm: 4,
  index: 100,
  commit: 99,
  entries: [
    { term: 5, index: 101, type: "normal", data: bytes(1, 2, 3) },
    { term: 5, index: 102, type: "confChange", data: bytes(9) },
    { term: 5, index: 103, type: "normal", data: bytes() },
  ],
});
export const snap = msg({
  type: "MsgSnap",
  to: n(3),
  from: n(1),
  term: 5,
  snapshot: {
    metadata: { index: 90, term: 4, confState: { voters: [n(1), n(2), n(3)], learners: [n(4)] } },
    data: bytes(7, 7, 7),
  },
});
export const heartbeatEmptyCtx = msg({
  type: "MsgHeartbeat",
  to: n(2),
  from: n(1),
  term: 5,
  commit: 3,
  context: bytes(),
});
export const readIndex = msg({ type: "MsgReadIndex", to: n(1), from: n(2), context: bytes(1, 2, 3, 4) });
export const rejected = msg({
  type: "MsgAppResp",
  to: n(1),
  from: n(2),
  term: 5,
  index: 100,
  reject: true,
  rejectHint: 50,
});
export const bigIds = msg({
  type: "MsgVote",
  to: n(2 ** 53 - 1),
  from: n(2 ** 40 + 3),
  term: 2 ** 52,
  logTerm: 1,
  index: 2,
});

/** One message of each shape above. */
export const EVERY_SHAPE = [app, snap, heartbeatEmptyCtx, readIndex, rejected, bigIds];
