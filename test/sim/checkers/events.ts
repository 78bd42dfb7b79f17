import type { Index, NodeId, Role, Term } from "../../../libs/raft/index.js";

/**
 * What the checkers see of a run: a history of events (things that happened at one node at
 * one step) and, between steps, a view of every live node. Both are plain data, so a checker
 * can be fed a deliberately broken history in a unit test.
 */
export type SimEvent =
  /** A node was seen in the leader role in `term`. */
  | { readonly kind: "leader"; readonly step: number; readonly node: NodeId; readonly term: Term }
  /** A node applied one committed entry; `hash` is its state machine's hash afterwards. */
  | {
      readonly kind: "apply";
      readonly step: number;
      readonly node: NodeId;
      readonly index: Index;
      readonly digest: string;
      readonly hash: string;
    }
  /** A node's state machine was reset to `index` (snapshot install, or restart from disk). */
  | {
      readonly kind: "restore";
      readonly step: number;
      readonly node: NodeId;
      readonly index: Index;
      readonly hash: string;
    }
  /** A client proposal was applied for the first time: it is acknowledged from here on. */
  | {
      readonly kind: "ack";
      readonly step: number;
      readonly node: NodeId;
      readonly index: Index;
      readonly digest: string;
      readonly payload: string;
    }
  /** A linearizable read was requested; every index <= minIndex was committed before it. */
  | {
      readonly kind: "readRequest";
      readonly step: number;
      readonly node: NodeId;
      readonly context: string;
      readonly minIndex: Index;
    }
  /** The core answered a read at `node`. */
  | {
      readonly kind: "readState";
      readonly step: number;
      readonly node: NodeId;
      readonly context: string;
      readonly index: Index;
    };

export interface LogEntryView {
  readonly term: Term;
  readonly digest: string;
}

/** One live node between steps: its Raft status and its durable log. */
export interface NodeView {
  readonly id: NodeId;
  readonly role: Role;
  readonly term: Term;
  /** The commit index in memory (may run ahead of the disk while a Ready is unhandled). */
  readonly commit: Index;
  /** The commit index in the durable hard state: what the durable log is checked against. */
  readonly durableCommit: Index;
  readonly applied: Index;
  /** Durable log bounds (storage): entries in [firstIndex, lastIndex] can be read. */
  readonly firstIndex: Index;
  readonly lastIndex: Index;
  entryAt(i: Index): LogEntryView | undefined;
  /** In the newest committed configuration, as voter or learner. */
  readonly isMember: boolean;
}

export interface ClusterView {
  readonly step: number;
  /** Live nodes only, sorted by id. */
  readonly nodes: readonly NodeView[];
}
