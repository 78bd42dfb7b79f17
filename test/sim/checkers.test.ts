import { describe, expect, it } from "vitest";
import { type Index, type NodeId, nodeId, type Role } from "../../libs/raft/index.js";
import { ViolationSink } from "./checkers/checker.js";
import { CommittedLog } from "./checkers/committed-log.js";
import { Durability } from "./checkers/durability.js";
import { ElectionSafety } from "./checkers/election-safety.js";
import type { ClusterView, NodeView } from "./checkers/events.js";
import { LeaderCompleteness } from "./checkers/leader-completeness.js";
import { LinearizableReads } from "./checkers/linearizable-reads.js";
import { Liveness } from "./checkers/liveness.js";
import { LogMatching } from "./checkers/log-matching.js";
import { StateMachineSafety } from "./checkers/state-machine-safety.js";

/** A node whose durable log holds `log[k]` = [term, digest] at index first + k. */
function node(
  id: number,
  opts: {
    role?: Role;
    term?: number;
    commit?: Index;
    applied?: Index;
    first?: Index;
    log: Array<[number, string]>;
  },
): NodeView {
  const first = opts.first ?? 1;
  const log = opts.log;
  const commit = opts.commit ?? 0;
  return {
    id: nodeId(id),
    role: opts.role ?? "follower",
    term: opts.term ?? 1,
    commit,
    durableCommit: commit,
    applied: opts.applied ?? commit,
    firstIndex: first,
    lastIndex: first + log.length - 1,
    isMember: true,
    entryAt(i: Index) {
      const e = log[i - first];
      return e === undefined ? undefined : { term: e[0], digest: e[1] };
    },
  };
}

function view(step: number, ...nodes: NodeView[]): ClusterView {
  return { step, nodes };
}

const n = (i: number): NodeId => nodeId(i);

describe("election safety", () => {
  it("flags two leaders in one term", () => {
    const sink = new ViolationSink();
    const c = new ElectionSafety(sink);
    c.observe({ kind: "leader", step: 1, node: n(1), term: 3 });
    c.observe({ kind: "leader", step: 9, node: n(2), term: 3 });
    expect(sink.violations.map((v) => v.message)).toEqual(["two leaders in term 3: n1 and n2"]);
  });

  it("accepts one leader per term, seen again and again", () => {
    const sink = new ViolationSink();
    const c = new ElectionSafety(sink);
    c.observe({ kind: "leader", step: 1, node: n(1), term: 3 });
    c.checkView(view(2, node(1, { role: "leader", term: 3, log: [] })));
    c.checkView(view(3, node(2, { role: "leader", term: 4, log: [] })));
    expect(sink.ok).toBe(true);
    expect(c.elections).toBe(2);
  });
});

describe("log matching", () => {
  it("flags logs that agree on a term at an index but differ below it", () => {
    const sink = new ViolationSink();
    const a = node(1, {
      log: [
        [1, "a"],
        [1, "b"],
        [2, "c"],
      ],
    });
    const b = node(2, {
      log: [
        [1, "a"],
        [1, "X"],
        [2, "c"],
      ],
    });
    new LogMatching(sink, 1).checkView(view(1, a, b));
    expect(sink.ok).toBe(false);
  });

  it("accepts an uncommitted suffix of another term", () => {
    const sink = new ViolationSink();
    const a = node(1, {
      log: [
        [1, "a"],
        [2, "b"],
      ],
    });
    const b = node(2, {
      log: [
        [1, "a"],
        [3, "z"],
        [3, "y"],
      ],
    });
    new LogMatching(sink, 1).checkView(view(1, a, b));
    expect(sink.ok).toBe(true);
  });

  it("flags two different entries committed at one index", () => {
    const sink = new ViolationSink();
    const c = new CommittedLog(sink);
    c.checkView(
      view(
        1,
        node(1, {
          commit: 2,
          log: [
            [1, "a"],
            [1, "b"],
          ],
        }),
      ),
    );
    c.checkView(
      view(
        2,
        node(2, {
          commit: 2,
          log: [
            [1, "a"],
            [2, "X"],
          ],
        }),
      ),
    );
    expect(sink.violations[0]?.message).toContain("committed at 2");
  });
});

describe("leader completeness", () => {
  it("flags a later leader missing a committed entry", () => {
    const sink = new ViolationSink();
    const committed = new CommittedLog(sink);
    const lc = new LeaderCompleteness(sink, committed);
    const v1 = view(
      1,
      node(1, {
        role: "leader",
        term: 2,
        commit: 3,
        log: [
          [1, "a"],
          [2, "b"],
          [2, "c"],
        ],
      }),
    );
    committed.checkView(v1);
    lc.checkView(v1);
    expect(sink.ok).toBe(true);
    const v2 = view(
      2,
      node(2, {
        role: "leader",
        term: 3,
        commit: 1,
        log: [
          [1, "a"],
          [3, "z"],
        ],
      }),
    );
    committed.checkView(v2);
    lc.checkView(v2);
    expect(sink.violations[0]?.checker).toBe("leader-completeness");
  });
});

describe("state machine safety", () => {
  it("flags two nodes applying different entries at one index", () => {
    const sink = new ViolationSink();
    const c = new StateMachineSafety(sink);
    c.observe({ kind: "apply", step: 1, node: n(1), index: 1, digest: "1:n:a", hash: "h1" });
    c.observe({ kind: "apply", step: 2, node: n(2), index: 1, digest: "1:n:b", hash: "h1" });
    expect(sink.ok).toBe(false);
  });

  it("flags a gap in one node's applies and a restore to a foreign state", () => {
    const sink = new ViolationSink();
    const c = new StateMachineSafety(sink);
    c.observe({ kind: "apply", step: 1, node: n(1), index: 1, digest: "d1", hash: "h1" });
    c.observe({ kind: "apply", step: 2, node: n(1), index: 3, digest: "d3", hash: "h3" });
    c.observe({ kind: "restore", step: 3, node: n(2), index: 3, hash: "other" });
    expect(sink.violations.map((v) => v.checker)).toEqual(["state-machine-safety", "state-machine-safety"]);
  });
});

describe("durability", () => {
  it("flags an acknowledged entry replaced by another", () => {
    const sink = new ViolationSink();
    const c = new Durability(sink);
    c.observe({ kind: "ack", step: 1, node: n(1), index: 5, digest: "d5", payload: "p:1" });
    c.observe({ kind: "apply", step: 2, node: n(2), index: 5, digest: "other", hash: "h" });
    expect(sink.ok).toBe(false);
  });

  it("flags a member that ends behind an acknowledged entry", () => {
    const sink = new ViolationSink();
    const c = new Durability(sink);
    c.observe({ kind: "ack", step: 1, node: n(1), index: 5, digest: "d5", payload: "p:1" });
    c.finish(view(9, node(1, { commit: 5, log: [] }), node(2, { commit: 4, log: [] })));
    expect(sink.violations.map((v) => v.message)).toEqual(["member n2 ends at applied 4 < acknowledged 5"]);
  });
});

describe("linearizable reads", () => {
  it("flags a read answered below what was committed before it", () => {
    const sink = new ViolationSink();
    const c = new LinearizableReads(sink);
    c.observe({ kind: "readRequest", step: 1, node: n(1), context: "r:1", minIndex: 7 });
    c.observe({ kind: "readState", step: 2, node: n(1), context: "r:1", index: 6 });
    expect(sink.ok).toBe(false);
  });

  it("flags answers nobody asked for, or that reach another node", () => {
    const sink = new ViolationSink();
    const c = new LinearizableReads(sink);
    c.observe({ kind: "readState", step: 2, node: n(1), context: "r:9", index: 6 });
    c.observe({ kind: "readRequest", step: 3, node: n(1), context: "r:1", minIndex: 1 });
    c.observe({ kind: "readState", step: 4, node: n(2), context: "r:1", index: 6 });
    expect(sink.violations).toHaveLength(2);
  });

  it("accepts a read at or above the committed index", () => {
    const sink = new ViolationSink();
    const c = new LinearizableReads(sink);
    c.observe({ kind: "readRequest", step: 1, node: n(1), context: "r:1", minIndex: 7 });
    c.observe({ kind: "readState", step: 2, node: n(1), context: "r:1", index: 7 });
    expect(sink.ok).toBe(true);
    expect(c.answered).toBe(1);
  });
});

describe("liveness", () => {
  it("flags a cluster with no leader within the bound after healing", () => {
    const sink = new ViolationSink();
    const c = new Liveness(sink, 10);
    c.begin(100);
    for (let s = 100; s <= 112; s++) c.checkView(view(s, node(1, { log: [] }), node(2, { log: [] })));
    expect(sink.violations[0]?.message).toContain("no leader was elected");
  });

  it("is satisfied once a post-heal proposal is applied by every member", () => {
    const sink = new ViolationSink();
    const c = new Liveness(sink, 10);
    c.begin(100);
    c.checkView(view(101, node(1, { role: "leader", term: 2, commit: 4, log: [] })));
    c.observe({ kind: "ack", step: 102, node: n(1), index: 5, digest: "d", payload: "live:0" });
    c.checkView(
      view(103, node(1, { role: "leader", term: 2, commit: 5, log: [] }), node(2, { commit: 5, log: [] })),
    );
    expect(c.done).toBe(true);
    for (let s = 104; s < 130; s++) c.checkView(view(s, node(1, { log: [] })));
    expect(sink.ok).toBe(true);
  });
});
