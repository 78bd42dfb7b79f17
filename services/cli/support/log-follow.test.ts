import { describe, expect, it } from "vitest";
import { formatFields, LogDescriber, parseLogLine, shortRaftText } from "./log-follow.js";

const at = "2026-01-01T10:11:12.345Z";
const line = (o: object): string => JSON.stringify({ ts: at, level: "info", member: "m2", ...o });

describe("following master logs", () => {
  it("reads fields spread beside the standard keys or nested under fields", () => {
    expect(parseLogLine(line({ msg: "leader elected", term: 3 }))?.fields).toEqual({ term: 3 });
    expect(parseLogLine(line({ msg: "x", fields: { a: 1 } }))?.fields).toEqual({ a: 1 });
    expect(parseLogLine("not json")).toBeUndefined();
    expect(parseLogLine('{"no":"msg"}')).toBeUndefined();
  });

  it("tells elections once per term and hides routine lines", () => {
    const d = new LogDescriber();
    const elected = line({ msg: "leader elected", leader: "m2", leaderId: "7", term: 3 });
    expect(d.describe("m2", elected)).toMatch(
      /^\d\d:\d\d:\d\d\.\d{3} {2}m2 {2}leader elected: m2 in term 3$/,
    );
    expect(d.describe("m1", elected.replace('"member":"m2"', '"member":"m1"'))).toBeUndefined();
    expect(d.describe("m1", line({ level: "warn", msg: "leader lost", term: 3 }))).toMatch(
      /m2 {2}lost its leader \(term 3\)$/,
    );
    expect(d.describe("m2", line({ msg: "role changed", role: "candidate", term: 4 }))).toMatch(
      /campaigns in term 4$/,
    );
    expect(d.describe("m2", line({ msg: "role changed", role: "follower", term: 4 }))).toBeUndefined();
    expect(d.describe("m2", line({ msg: "raft", text: "1 became follower at term 4" }))).toBeUndefined();
  });

  it("shows warnings with their fields, and lines that are not JSON as they are", () => {
    const d = new LogDescriber();
    expect(d.describe("m2", line({ level: "warn", msg: "fsync off", note: "unsafe" }))).toMatch(
      /m2 {2}WARN fsync off {2}note=unsafe$/,
    );
    expect(d.describe("m2", line({ level: "warn", msg: "raft", text: "stream to 3 broke" }))).toMatch(
      /m2 {2}WARN stream to 3 broke$/,
    );
    d.namesById.set("77777", "m1");
    expect(
      d.describe(
        "m2",
        line({
          level: "warn",
          msg: "raft",
          text: "raft transport: stream to 77777 broke (1 CANCELLED: x); reconnecting",
        }),
      ),
    ).toMatch(/m2 {2}WARN stream to m1 broke \(CANCELLED: x\)$/);
    expect(d.describe("m3", "TypeError: boom")).toMatch(/m3 {2}TypeError: boom$/);
    expect(d.describe("m3", "   ")).toBeUndefined();
  });

  it("names peers and shortens broken streams in the runtime's warnings", () => {
    const names = new Map([["2640548579113187", "m2"]]);
    expect(
      shortRaftText(
        "raft transport: stream to 2640548579113187 broke (14 UNAVAILABLE: No connection established. Last error: Error: connect ECONNREFUSED 127.0.0.1:40139. Resolution note: ); reconnecting",
        names,
      ),
    ).toBe("stream to m2 broke (connection refused)");
    expect(
      shortRaftText(
        "raft transport: stream to 77777 broke (14 UNAVAILABLE: Connection dropped); reconnecting",
        names,
      ),
    ).toBe("stream to 77777 broke (UNAVAILABLE: Connection dropped)");
    expect(shortRaftText("2640548579113187 stepped down to follower since quorum is not active", names)).toBe(
      "m2 stepped down to follower since quorum is not active",
    );
  });

  it("formats strings bare and other values as JSON", () => {
    expect(formatFields({ a: "x", b: 2, c: { d: true } })).toBe('  a=x b=2 c={"d":true}');
    expect(formatFields({})).toBe("");
  });
});
