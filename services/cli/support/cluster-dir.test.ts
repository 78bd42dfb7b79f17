import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  clientAddress,
  etcdctlLine,
  findMember,
  hasCluster,
  httpURL,
  initialClusterFlag,
  memberPath,
  newCluster,
  readCluster,
  withMember,
  writeCluster,
} from "./cluster-dir.js";
import { CliError } from "./errors.js";

const ports = [
  { clientPort: 2001, peerPort: 2002, httpPort: 2003 },
  { clientPort: 2011, peerPort: 2012, httpPort: 2013 },
  { clientPort: 2021, peerPort: 2022, httpPort: 2023 },
];

describe("cluster folder", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "flotilla-cluster-dir-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("names members m1..mN with their own data dir and log", () => {
    const rec = newCluster({ fsync: "on", tickMs: 100, ports });
    expect(rec.members.map((m) => m.name)).toEqual(["m1", "m2", "m3"]);
    expect(rec.members[1]).toMatchObject({
      dataDir: join("data", "m2"),
      logFile: join("logs", "m2.log"),
      pid: null,
    });
    expect(memberPath(dir, rec.members[1]!.dataDir)).toBe(join(dir, "data", "m2"));
  });

  it("builds the etcdctl line, the initial cluster and the addresses from the ports", () => {
    const rec = newCluster({ fsync: "off", tickMs: 50, ports });
    expect(etcdctlLine(rec)).toBe("etcdctl --endpoints=127.0.0.1:2001,127.0.0.1:2011,127.0.0.1:2021");
    expect(initialClusterFlag(rec)).toBe(
      "m1=http://127.0.0.1:2002,m2=http://127.0.0.1:2012,m3=http://127.0.0.1:2022",
    );
    expect(clientAddress(rec.members[0]!)).toBe("127.0.0.1:2001");
    expect(httpURL(rec.members[2]!)).toBe("http://127.0.0.1:2023");
  });

  it("writes and reads back the same record, leaving no temp file", () => {
    const rec = newCluster({ fsync: "on", tickMs: 100, ports, now: new Date(0) });
    const started = withMember(rec, { ...rec.members[0]!, pid: 4242, startedAt: "2026-01-01T00:00:00.000Z" });
    writeCluster(dir, started);
    expect(hasCluster(dir)).toBe(true);
    expect(readCluster(dir)).toEqual(started);
    expect(readCluster(dir).members[1]!.pid).toBeNull();
    expect(readFileSync(join(dir, "cluster.json"), "utf8")).toContain('"pid": 4242');
  });

  it("says to run flotilla up when there is no cluster", () => {
    expect(() => readCluster(dir)).toThrow(CliError);
    expect(() => readCluster(dir)).toThrow(`no cluster in ${dir}: run \`flotilla up --dir ${dir}\` first`);
    expect(() => readCluster(".flotilla-none")).toThrow("run `flotilla up --dir .flotilla-none` first");
  });

  it("refuses a damaged cluster.json, naming the file and the field", () => {
    writeFileSync(join(dir, "cluster.json"), "{not json");
    expect(() => readCluster(dir)).toThrow(/cluster\.json is not valid JSON/);
    const rec = newCluster({ fsync: "on", tickMs: 100, ports });
    writeFileSync(
      join(dir, "cluster.json"),
      JSON.stringify({ ...rec, members: [{ ...rec.members[0], clientPort: 70000 }] }),
    );
    expect(() => readCluster(dir)).toThrow(/members\[0\]\.clientPort must be a port number/);
    writeFileSync(
      join(dir, "cluster.json"),
      JSON.stringify({ ...rec, members: [rec.members[0], rec.members[0]] }),
    );
    expect(() => readCluster(dir)).toThrow(/two members have the same name/);
  });

  it("finds members by name and lists them when the name is unknown", () => {
    const rec = newCluster({ fsync: "on", tickMs: 100, ports });
    expect(findMember(rec, "m2", dir).clientPort).toBe(2011);
    expect(() => findMember(rec, "m9", dir)).toThrow(`no member "m9" in ${dir}; its members are m1, m2, m3`);
  });
});
