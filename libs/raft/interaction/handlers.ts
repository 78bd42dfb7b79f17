import { type ConfChange, isStorageError, type NodeId, nodeId, type ProposeResult } from "../index.js";
import { Args, UsageError } from "./args.js";
import type { CmdLine } from "./datadriven.js";
import { describeConfState, describeEntry, describeRole, describeSnapshot } from "./describe.js";
import { DEFAULT_OPTIONS, type InteractionEnv, type LogLevel, type NodeOptions } from "./env.js";

/**
 * One handler per command (etcd raft rafttest/interaction_env_handler*.go). Each reads its
 * arguments, drives the environment, and writes what happened to the environment's output.
 */
type Handler = (env: InteractionEnv, a: Args) => void;

const enc = new TextEncoder();

function one(a: Args, usage: string): NodeId {
  return nodeId(Number(a.expectPositional(1, usage)[0]));
}

function writeProposeResult(env: InteractionEnv, r: ProposeResult): void {
  if (!r.ok) env.write(`ProposeResult ok:false reason:${r.reason}`);
}

/** `add-nodes N voters=(1,2,3) [learners=(4)] [index=I] [prevote=true] [checkquorum=true] ...` */
const addNodes: Handler = (env, a) => {
  const count = Number(
    a.expectPositional(1, "add-nodes N [voters=(..)] [learners=(..)] [index=I] [options]")[0],
  );
  const opts: NodeOptions = {
    electionTicks: a.int("election-ticks", DEFAULT_OPTIONS.electionTicks),
    heartbeatTicks: a.int("heartbeat-ticks", DEFAULT_OPTIONS.heartbeatTicks),
    preVote: a.bool("prevote", DEFAULT_OPTIONS.preVote),
    checkQuorum: a.bool("checkquorum", DEFAULT_OPTIONS.checkQuorum),
    maxInflightMsgs: a.int("max-inflight", DEFAULT_OPTIONS.maxInflightMsgs),
    maxMsgBytes: a.int("max-msg-bytes", DEFAULT_OPTIONS.maxMsgBytes),
    maxUncommittedEntriesBytes: a.int("max-uncommitted-bytes", DEFAULT_OPTIONS.maxUncommittedEntriesBytes),
    learnerCatchUpEntriesMax: a.int("learner-catch-up", DEFAULT_OPTIONS.learnerCatchUpEntriesMax),
  };
  env.addNodes(count, a.ids("voters"), a.ids("learners"), a.int("index"), opts);
};

const campaign: Handler = (env, a) => env.node(one(a, "campaign ID")).rn.campaign();

const propose: Handler = (env, a) => {
  const [id, data] = a.expectPositional(2, "propose ID data");
  writeProposeResult(env, env.node(Number(id)).rn.propose(enc.encode(data)));
};

const proposeBatch: Handler = (env, a) => {
  const [id, ...datas] = a.positional();
  if (id === undefined || datas.length === 0) throw new UsageError("usage: propose-batch ID data...");
  writeProposeResult(env, env.node(Number(id)).rn.proposeBatch(datas.map((d) => enc.encode(d))));
};

/** `propose-conf-change ID v4|l4|r4`: add voter 4, add learner 4, remove 4. */
const proposeConfChange: Handler = (env, a) => {
  const [id, change] = a.expectPositional(2, "propose-conf-change ID v4|l4|r4");
  const m = /^([vlr])(\d+)$/.exec(change ?? "");
  if (!m) throw new UsageError(`bad conf change ${change}: want v<id>, l<id> or r<id>`);
  const type = m[1] === "v" ? "addVoter" : m[1] === "l" ? "addLearner" : "removeNode";
  const cc: ConfChange = { type, nodeId: nodeId(Number(m[2])), context: new Uint8Array(0) };
  writeProposeResult(env, env.node(Number(id)).rn.proposeConfChange(cc));
};

const tick: Handler = (env, a) => {
  const [id, n] = a.positional();
  if (id === undefined) throw new UsageError("usage: tick ID [N]");
  const node = env.node(Number(id));
  for (let i = 0; i < Number(n ?? 1); i++) node.rn.tick();
};

const tickHeartbeat: Handler = (env, a) => {
  const node = env.node(one(a, "tick-heartbeat ID"));
  for (let i = 0; i < node.opts.heartbeatTicks; i++) node.rn.tick();
};

/**
 * A leader ticks one election timeout (electionTicks: one CheckQuorum round). Any other node
 * ticks until its randomized election timeout fires, i.e. until it has something to do or its
 * role or term moves (at most 2*electionTicks), and says how many ticks that took.
 */
const tickElection: Handler = (env, a) => {
  const node = env.node(one(a, "tick-election ID"));
  const st = node.rn.status();
  if (st.role === "leader") {
    for (let i = 0; i < node.opts.electionTicks; i++) node.rn.tick();
    return;
  }
  const hadReady = node.rn.hasReady();
  const max = 2 * node.opts.electionTicks;
  for (let i = 1; i <= max; i++) {
    node.rn.tick();
    const now = node.rn.status();
    if ((!hadReady && node.rn.hasReady()) || now.role !== st.role || now.term !== st.term) {
      env.write(`election timeout fired after ${i} ticks`);
      return;
    }
  }
  env.write(`no election after ${max} ticks`);
};

const processReady: Handler = (env, a) => {
  const ids = a.positionalIds();
  for (const id of ids.length > 0 ? ids : env.ids()) env.processReady(id);
};

/** `deliver-msgs [drop=(ids)] [type=MsgApp] [ID...]`: all recipients when no id is given. */
const deliverMsgs: Handler = (env, a) => {
  const drop = new Set(a.ids("drop"));
  const type = a.str("type");
  const ids = a.positionalIds();
  const targets = ids.length > 0 ? ids : env.recipients();
  let n = 0;
  for (const id of targets) n += env.deliverMsgs(id, drop, type);
  if (n === 0) env.write("no messages");
};

const stabilize: Handler = (env, a) => {
  const ids = a.positionalIds();
  env.stabilize(ids.length > 0 ? ids : env.ids());
};

const status: Handler = (env, a) => {
  const id = one(a, "status ID");
  const node = env.node(id);
  const s = node.rn.status();
  env.write(
    `${id}: ${describeRole(s.role)} Term:${s.term} Vote:${s.vote} Lead:${s.lead} Commit:${s.commit} Applied:${s.applied} LastIndex:${s.lastIndex} LeadTransferee:${s.leadTransferee}`,
    `ConfState ${describeConfState(s.confState)}`,
  );
  if (s.role === "leader") env.write("Progress:", ...node.rn.describeProgress());
};

const raftState: Handler = (env) => {
  for (const id of env.ids()) {
    const s = env.node(id).rn.status();
    const kind = s.confState.voters.includes(id)
      ? "Voter"
      : s.confState.learners.includes(id)
        ? "Learner"
        : "Non-member";
    const iso = env.isolated.has(id) ? " [isolated]" : "";
    env.write(`${id}: ${describeRole(s.role)} (${kind}) Term:${s.term} Lead:${s.lead}${iso}`);
  }
};

/** The durable log of a node: its storage's snapshot and entries. */
const raftLog: Handler = (env, a) => writeRaftLog(env, one(a, "raft-log ID"));

function writeRaftLog(env: InteractionEnv, id: NodeId): void {
  const { storage } = env.node(id);
  const snap = storage.snapshot();
  if (!isStorageError(snap) && snap.metadata.index > 0) env.write(`snapshot ${describeSnapshot(snap)}`);
  const first = storage.firstIndex();
  const last = storage.lastIndex();
  if (last < first) {
    env.write(`log is empty: first index=${first}, last index=${last}`);
    return;
  }
  const ents = storage.entries(first, last + 1, Number.MAX_SAFE_INTEGER);
  if (isStorageError(ents)) throw new Error(`entries unreadable: ${ents}`);
  env.write(...ents.map(describeEntry));
}

const stateMachine: Handler = (env, a) => {
  const { sm } = env.node(one(a, "state-machine ID"));
  env.write(
    `applied=${sm.applied} data=${JSON.stringify(sm.dataAt(sm.applied))} conf=${describeConfState(sm.confAt(sm.applied))}`,
  );
};

/** `compact ID index`: snapshot the state machine at index (<= applied) and drop the log up to it. */
const compact: Handler = (env, a) => {
  const [id, idx] = a.expectPositional(2, "compact ID index");
  const node = env.node(Number(id));
  const index = Number(idx);
  const snap = node.storage.createSnapshot(index, node.sm.confAt(index), node.sm.snapshotData(index));
  if (typeof snap === "string") throw new Error(`createSnapshot(${index}): ${snap}`);
  const res = node.storage.compact(index);
  if (res !== "ok") throw new Error(`compact(${index}): ${res}`);
  writeRaftLog(env, node.id);
};

const readIndex: Handler = (env, a) => {
  const [id, ctx] = a.expectPositional(2, "read-index ID ctx");
  env.node(Number(id)).rn.readIndex(enc.encode(ctx));
};

const transferLeadership: Handler = (env, a) => {
  const from = a.int("from");
  const to = a.int("to");
  if (from === undefined || to === undefined)
    throw new UsageError("usage: transfer-leadership from=ID to=ID");
  env.node(from).rn.transferLeader(nodeId(to));
};

/** `report-unreachable ID TARGET`: node ID's transport could not reach TARGET. */
const reportUnreachable: Handler = (env, a) => {
  const [id, target] = a.expectPositional(2, "report-unreachable ID TARGET");
  env.node(Number(id)).rn.reportUnreachable(nodeId(Number(target)));
};

/** `report-snapshot ID TARGET [ok=false]`: node ID's transport finished sending TARGET a snapshot. */
const reportSnapshot: Handler = (env, a) => {
  const [id, target] = a.expectPositional(2, "report-snapshot ID TARGET [ok=true|false]");
  env.node(Number(id)).rn.reportSnapshot(nodeId(Number(target)), a.bool("ok", true));
};

const isolate: Handler = (env, a) => {
  env.isolated.add(one(a, "isolate ID"));
};

/** `heal [ID...]`: ends the isolation of the given nodes (all when none is given). */
const heal: Handler = (env, a) => {
  const ids = a.positionalIds();
  env.heal(ids.length > 0 ? ids : [...env.isolated]);
};

const restart: Handler = (env, a) => env.restart(one(a, "restart ID"));

const logLevel: Handler = (env, a) => {
  const [level] = a.expectPositional(1, "log-level info|warn|none");
  const l = level === "debug" ? "info" : level;
  if (l !== "info" && l !== "warn" && l !== "none") throw new UsageError(`unknown log level ${level}`);
  env.logLevel = l as LogLevel;
};

export const HANDLERS: Readonly<Record<string, Handler>> = {
  "add-nodes": addNodes,
  campaign,
  compact,
  "deliver-msgs": deliverMsgs,
  heal,
  isolate,
  "log-level": logLevel,
  "process-ready": processReady,
  propose,
  "propose-batch": proposeBatch,
  "propose-conf-change": proposeConfChange,
  "raft-log": raftLog,
  "raft-state": raftState,
  "read-index": readIndex,
  "report-snapshot": reportSnapshot,
  "report-unreachable": reportUnreachable,
  restart,
  stabilize,
  "state-machine": stateMachine,
  status,
  tick,
  "tick-election": tickElection,
  "tick-heartbeat": tickHeartbeat,
  "transfer-leadership": transferLeadership,
};

/**
 * Runs one command line. Script mistakes throw UsageError (the test fails); errors raised by
 * the core or the storage are written to the output, so a trace can show them.
 */
export function runCommand(env: InteractionEnv, line: CmdLine): void {
  const h = HANDLERS[line.cmd];
  if (!h) throw new UsageError(`unknown command ${line.cmd}`);
  const args = new Args(line);
  try {
    h(env, args);
  } catch (e) {
    if (e instanceof UsageError) throw e;
    env.writeAlways(`error: ${(e as Error).message}`);
  }
  args.checkAllUsed();
}
