import { describe, expect, it } from "vitest";
import { newCluster } from "./cluster-dir.js";
import type { MasterStatus } from "./http-client.js";
import { parseStatus } from "./http-client.js";
import { formatMs, formatTable, shortId, statusJson, statusRows, statusText, summaryLine } from "./output.js";
import { leaderOf, type MemberView } from "./probe.js";

const rec = newCluster({
  fsync: "on",
  tickMs: 100,
  ports: [
    { clientPort: 2001, peerPort: 2002, httpPort: 2003 },
    { clientPort: 2011, peerPort: 2012, httpPort: 2013 },
    { clientPort: 2021, peerPort: 2022, httpPort: 2023 },
  ],
});

function status(name: string, role: string, term: number, leader: string | undefined): MasterStatus {
  return {
    name,
    id: "255",
    role,
    term,
    leader: leader ? { name: leader, id: "1" } : undefined,
    commitIndex: 12,
    appliedIndex: 11,
    lastIndex: 12,
    clientURL: "",
    peerURL: "",
    httpURL: "",
    fsync: "on",
    pid: 100,
    members: [],
  };
}

const views: MemberView[] = [
  {
    record: { ...rec.members[0]!, pid: 100 },
    state: "up",
    status: status("m1", "follower", 3, "m2"),
    error: undefined,
  },
  {
    record: { ...rec.members[1]!, pid: 101 },
    state: "up",
    status: status("m2", "leader", 3, "m2"),
    error: undefined,
  },
  { record: { ...rec.members[2]!, pid: 102 }, state: "down", status: undefined, error: "ECONNREFUSED" },
];

describe("status output", () => {
  it("aligns table columns without trailing spaces", () => {
    expect(
      formatTable(
        ["A", "LONG"],
        [
          ["xyz", "1"],
          ["b", "22"],
        ],
      ),
    ).toBe("A    LONG\nxyz  1\nb    22");
  });

  it("shows a down member with its last known pid", () => {
    const rows = statusRows(views);
    expect(rows[1]!.slice(0, 7)).toEqual(["m2", "ff", "leader", "3", "12", "11", "m2"]);
    expect(rows[2]).toEqual([
      "m3",
      "-",
      "down",
      "-",
      "-",
      "-",
      "-",
      "102 (exited)",
      "127.0.0.1:2021",
      "http://127.0.0.1:2023",
    ]);
  });

  it("summarises the leader and the members that do not answer", () => {
    expect(summaryLine(views)).toBe("leader m2 (term 3); 2 of 3 members answer (m3 down)");
    expect(statusText(views).split("\n")[0]).toMatch(
      /^NAME\s+ID\s+ROLE\s+TERM\s+COMMIT\s+APPLIED\s+LEADER\s+PID\s+CLIENT\s+HTTP$/,
    );
  });

  it("lists every member in JSON with addresses, HTTP as a URL", () => {
    const json = statusJson(".flotilla", rec, views);
    expect(json.leader).toBe("m2");
    expect(json.term).toBe(3);
    expect(json.members).toHaveLength(3);
    expect(json.members[0]).toEqual({
      name: "m1",
      id: "255",
      state: "up",
      role: "follower",
      term: 3,
      leader: "m2",
      commitIndex: 12,
      appliedIndex: 11,
      lastIndex: 12,
      client: "127.0.0.1:2001",
      peer: "127.0.0.1:2002",
      http: "http://127.0.0.1:2003",
      pid: 100,
      fsync: "on",
    });
    expect(json.members[2]).toMatchObject({ name: "m3", state: "down", role: null, term: null, pid: 102 });
  });

  it("takes the leader with the highest term when two say they lead", () => {
    const stale = { ...views[0]!, status: status("m1", "leader", 2, "m1") };
    expect(leaderOf([stale, views[1]!, views[2]!])?.record.name).toBe("m2");
    expect(leaderOf([views[0]!, views[2]!])).toBeUndefined();
  });

  it("reads /status leniently", () => {
    const s = parseStatus({
      name: "m1",
      role: "Leader",
      term: "4",
      leader: { name: "", id: "0" },
      fsync: false,
    });
    expect(s).toMatchObject({
      name: "m1",
      role: "leader",
      term: 4,
      leader: undefined,
      commitIndex: 0,
      fsync: "off",
    });
    expect(() => parseStatus(null)).toThrow();
  });

  it("formats ids and durations", () => {
    expect(shortId("18446744073709551615")).toBe("ffffffffffffffff");
    expect(shortId("")).toBe("-");
    expect(formatMs(850)).toBe("850 ms");
    expect(formatMs(1340)).toBe("1.3 s");
  });
});
