/**
 * Raft message types by the numbers of proto/raftpb/raft.proto's MessageType, which both peer
 * wire formats use: the gRPC stream's protobuf (stream-codec.ts) and the TCP frames
 * (peer-frames.ts). 0 (MsgUnknown) is no type.
 */
import type { MessageType } from "../../../libs/raft/index.js";

export const TYPE_NUMBERS: Readonly<Record<MessageType, number>> = {
  MsgHup: 1,
  MsgBeat: 2,
  MsgProp: 3,
  MsgApp: 4,
  MsgAppResp: 5,
  MsgVote: 6,
  MsgVoteResp: 7,
  MsgPreVote: 8,
  MsgPreVoteResp: 9,
  MsgSnap: 10,
  MsgHeartbeat: 11,
  MsgHeartbeatResp: 12,
  MsgUnreachable: 13,
  MsgSnapStatus: 14,
  MsgCheckQuorum: 15,
  MsgTransferLeader: 16,
  MsgTimeoutNow: 17,
  MsgReadIndex: 18,
  MsgReadIndexResp: 19,
};
/** Message type names by number (the decoder's table). */
export const TYPE_NAMES: readonly (MessageType | undefined)[] = (() => {
  const out: (MessageType | undefined)[] = [];
  for (const [name, n] of Object.entries(TYPE_NUMBERS)) out[n] = name as MessageType;
  return out;
})();
