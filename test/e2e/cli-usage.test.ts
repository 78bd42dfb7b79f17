/**
 * The cluster commands' errors and the parts that need no running master: no cluster, unknown
 * members, bad flags, status of a stopped cluster, snapshot restore seeding a data dir.
 */

import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newCluster, withMember, writeCluster } from "../../services/cli/support/cluster-dir.js";
import type { StatusJson } from "../../services/cli/support/output.js";
import { envelopeTrailer } from "../../services/control-plane/etcd/snapshot-envelope.js";
import { flotilla } from "./support/cli-run.js";

describe("flotilla cluster commands without a running cluster", () => {
  let tmp: string;
  let dir: string;
  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), "flotilla-cli-usage-"));
    dir = join(tmp, "stopped");
    // A cluster whose masters are not running: ports nobody listens on, a pid that is not a master.
    const rec = newCluster({
      fsync: "on",
      tickMs: 100,
      ports: [1, 2, 3].map((i) => ({ clientPort: 9 + i, peerPort: 19 + i, httpPort: 29 + i })),
    });
    writeCluster(dir, withMember(rec, { ...rec.members[0]!, pid: process.pid }));
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it("says to run flotilla up when the folder has no cluster", async () => {
    const none = join(tmp, "none");
    const commands = [["status"], ["kill", "m1"], ["restart", "m1"], ["down"], ["snapshot", "save", "x.db"]];
    const results = await Promise.all(commands.map((args) => flotilla([...args, "--dir", none])));
    results.forEach((r, i) => {
      expect(r.code, commands[i]!.join(" ")).toBe(1);
      expect(r.stderr).toContain(`flotilla: no cluster in ${none}: run \`flotilla up --dir ${none}\` first`);
      expect(r.stdout).toBe("");
    });
  });

  it("names the members there are when the member is unknown", async () => {
    const r = await flotilla(["kill", "m9", "--dir", dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`no member "m9" in ${dir}; its members are m1, m2, m3`);
  });

  it("refuses to kill a member that is not running, and says how to start it", async () => {
    const r = await flotilla(["kill", "m1", "--dir", dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `m1 is not running (last pid ${process.pid}); \`flotilla restart m1 --dir ${dir}\``,
    );
  });

  it("says there is no leader to kill when no member answers", async () => {
    const r = await flotilla(["kill", "leader", "--dir", dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("leads right now (m1 down, m2 down, m3 down)");
  });

  it("reports bad usage with exit status 2 and the command's usage", async () => {
    const bad = await flotilla(["status", "--dir", dir, "-o", "yaml"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--output must be one of table, json, got "yaml"');
    expect(bad.stderr).toContain("usage: flotilla status");
    const unknown = await flotilla(["up", "--nodes", "3"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown flag --nodes");
    const noMember = await flotilla(["restart", "--dir", dir]);
    expect(noMember.code).toBe(2);
    const cmd = await flotilla(["upp"]);
    expect(cmd.code).toBe(2);
    expect(cmd.stderr).toContain('unknown command "upp"');
  });

  it("shows every member of a stopped cluster as down, in a table and in JSON", async () => {
    const table = await flotilla(["status", "--dir", dir]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(
      /^m1\s+-\s+down\s.*\d+ \(exited\)\s+127\.0\.0\.1:10\s+http:\/\/127\.0\.0\.1:30$/m,
    );
    expect(table.stdout).toContain("no leader; 0 of 3 members answer (m1 down, m2 down, m3 down)");
    const json = await flotilla(["status", "--dir", dir, "-o", "json"]);
    const st = JSON.parse(json.stdout) as StatusJson;
    expect(st.leader).toBeNull();
    expect(st.members.map((m) => [m.name, m.state, m.client, m.peer, m.http])).toEqual([
      ["m1", "down", "127.0.0.1:10", "127.0.0.1:20", "http://127.0.0.1:30"],
      ["m2", "down", "127.0.0.1:11", "127.0.0.1:21", "http://127.0.0.1:31"],
      ["m3", "down", "127.0.0.1:12", "127.0.0.1:22", "http://127.0.0.1:32"],
    ]);
  });

  it("counts --watch refreshes and stops", async () => {
    const r = await flotilla(["status", "--dir", dir, "-o", "json", "--watch", "--count", "2"]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split("\n")).toHaveLength(2);
  });

  it("down on a stopped cluster stops nothing and keeps the data", async () => {
    const r = await flotilla(["down", "--dir", dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("m1: not running");
    expect(existsSync(join(dir, "cluster.json"))).toBe(true);
  });

  describe("snapshot restore", () => {
    const initial = "m1=http://127.0.0.1:1,m2=http://127.0.0.1:2";

    function snapshotFile(data: Buffer): Buffer {
      const body = Buffer.concat([data, envelopeTrailer(data.length)]);
      return Buffer.concat([body, createHash("sha256").update(body).digest()]);
    }

    it("seeds an empty data dir with the snapshot and what it is for", async () => {
      const file = join(tmp, "good.snapshot");
      const bytes = snapshotFile(Buffer.from("store bytes"));
      writeFileSync(file, bytes);
      const dataDir = join(tmp, "restored-m1");
      const r = await flotilla([
        "snapshot",
        "restore",
        file,
        "--data-dir",
        dataDir,
        "--name",
        "m1",
        "--initial-cluster",
        initial,
      ]);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expect(readFileSync(join(dataDir, "restore-from.snapshot")).equals(bytes)).toBe(true);
      const info = JSON.parse(readFileSync(join(dataDir, "restore.json"), "utf8"));
      expect(info).toMatchObject({ version: 1, name: "m1", initialCluster: initial, dataBytes: 11 });
    });

    it("refuses a corrupt file, a non-empty data dir and a name missing from the cluster", async () => {
      const bad = join(tmp, "bad.snapshot");
      const bytes = snapshotFile(Buffer.from("store bytes"));
      bytes[3] = bytes[3]! ^ 1;
      writeFileSync(bad, bytes);
      const r1 = await flotilla([
        "snapshot",
        "restore",
        bad,
        "--data-dir",
        join(tmp, "r1"),
        "--name",
        "m1",
        "--initial-cluster",
        initial,
      ]);
      expect(r1.code).toBe(1);
      expect(r1.stderr).toContain("is not a usable snapshot: SHA-256 mismatch");

      const good = join(tmp, "good2.snapshot");
      writeFileSync(good, snapshotFile(Buffer.from("x")));
      const full = join(tmp, "full");
      mkdirSync(full);
      writeFileSync(join(full, "wal"), "x");
      const r2 = await flotilla([
        "snapshot",
        "restore",
        good,
        "--data-dir",
        full,
        "--name",
        "m1",
        "--initial-cluster",
        initial,
      ]);
      expect(r2.code).toBe(1);
      expect(r2.stderr).toContain("is not empty; restore into a new data dir");

      const r3 = await flotilla([
        "snapshot",
        "restore",
        good,
        "--data-dir",
        join(tmp, "r3"),
        "--name",
        "m7",
        "--initial-cluster",
        initial,
      ]);
      expect(r3.code).toBe(2);
      expect(r3.stderr).toContain("--initial-cluster does not list m7");
    });
  });
});
