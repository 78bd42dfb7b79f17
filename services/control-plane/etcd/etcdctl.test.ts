/**
 * etcdctl (the Go client, v3 API) against a real gRPC server over the fake backend. Skipped
 * when no etcdctl binary is installed (set ETCDCTL to its path, or install it at
 * /usr/bin/etcdctl; CI does).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MvccStore, utf8 } from "../../../libs/mvcc/index.js";
import { unwrapSnapshotFile } from "./snapshot-envelope.js";
import { type FakeCluster, startFakeCluster } from "./testing.js";

const ETCDCTL = process.env["ETCDCTL"] ?? "/usr/bin/etcdctl";
const found = existsSync(ETCDCTL);
// CI sets FLOTILLA_REQUIRE_ETCDCTL: there a missing etcdctl is a broken install, not a reason to skip.
if (!found && process.env["FLOTILLA_REQUIRE_ETCDCTL"]) {
  throw new Error(`etcdctl is required (FLOTILLA_REQUIRE_ETCDCTL is set) but there is none at ${ETCDCTL}`);
}
if (!found) console.warn(`etcdctl.test.ts skipped: no etcdctl at ${ETCDCTL} (set ETCDCTL or install it)`);

const RUN_TIMEOUT_MS = 10_000;

interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

describe.skipIf(!found)("etcdctl", () => {
  let cluster: FakeCluster;
  let dir: string;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    cluster = await startFakeCluster();
    dir = mkdtempSync(join(tmpdir(), "flotilla-etcdctl-"));
  });
  afterAll(async () => {
    for (const c of children) c.kill("SIGKILL");
    await cluster.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function start(args: readonly string[]): ChildProcess {
    const child = spawn(ETCDCTL, [`--endpoints=${cluster.endpoint}`, "--command-timeout=5s", ...args], {
      env: { ...process.env, ETCDCTL_API: "3" },
      stdio: ["pipe", "pipe", "pipe"],
    });
    children.push(child);
    return child;
  }

  /** Runs etcdctl to completion (killed after RUN_TIMEOUT_MS), feeding `stdin` if given. */
  function run(args: readonly string[], stdin?: string): Promise<RunResult> {
    const child = start(args);
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr?.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    child.stdin?.end(stdin ?? "");
    const timer = setTimeout(() => child.kill("SIGKILL"), RUN_TIMEOUT_MS);
    return new Promise((resolve) => {
      child.on("close", (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr });
      });
    });
  }

  async function ok(args: readonly string[], stdin?: string): Promise<string> {
    const r = await run(args, stdin);
    if (r.code !== 0) throw new Error(`etcdctl ${args.join(" ")} exited ${r.code}: ${r.stderr}`);
    return r.stdout;
  }

  it("put, get, get --prefix and del", async () => {
    expect(await ok(["put", "foo", "bar"])).toBe("OK\n");
    expect(await ok(["get", "foo"])).toBe("foo\nbar\n");
    await ok(["put", "/dir/a", "1"]);
    await ok(["put", "/dir/b", "2"]);
    expect(await ok(["get", "--prefix", "/dir/"])).toBe("/dir/a\n1\n/dir/b\n2\n");
    expect(await ok(["get", "--prefix", "--keys-only", "/dir/"])).toBe("/dir/a\n\n/dir/b\n\n");
    expect(await ok(["del", "foo"])).toBe("1\n");
    expect(await ok(["get", "foo"])).toBe("");
    expect(await ok(["del", "--prefix", "/dir/"])).toBe("2\n");
  });

  it("txn reads compares and both branches from stdin and runs the right branch", async () => {
    await ok(["put", "tx", "v1"]);
    const script = ['value("tx") = "v1"', "", 'put tx "swapped"', "", 'put tx "unexpected"', "", ""].join(
      "\n",
    );
    expect(await ok(["txn"], script)).toBe("SUCCESS\n\nOK\n");
    expect(await ok(["txn"], script)).toBe("FAILURE\n\nOK\n");
    expect(await ok(["get", "tx", "--print-value-only"])).toBe("unexpected\n");
  });

  it("watch prints an event put after it starts", async () => {
    const rev = cluster.backend.store.currentRevision + 1;
    // From the next revision: the event is delivered even if the put wins the race with the watch.
    const child = start(["watch", "--rev", String(rev), "watched"]);
    let out = "";
    const seen = new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`watch printed only ${JSON.stringify(out)}`)),
        RUN_TIMEOUT_MS,
      );
      child.stdout?.on("data", (d: Buffer) => {
        out += d.toString();
        if (out.split("\n").length >= 4) {
          clearTimeout(timer);
          resolve(out);
        }
      });
    });
    await ok(["put", "watched", "hello"]);
    expect(await seen).toBe("PUT\nwatched\nhello\n");
    child.kill("SIGTERM");
  });

  it("a watch from a compacted revision is canceled with etcd's message", async () => {
    await ok(["put", "old", "1"]);
    const rev = cluster.backend.store.currentRevision;
    await ok(["compaction", String(rev)]);
    const r = await run(["watch", "--rev", "1", "old"]);
    expect(r.stdout + r.stderr).toContain("etcdserver: mvcc: required revision has been compacted");
  });

  it("lease grant, put --lease, keep-alive --once, timetolive --keys, revoke", async () => {
    const granted = await ok(["lease", "grant", "60"]);
    const m = /^lease ([0-9a-f]+) granted with TTL\(60s\)/.exec(granted);
    expect(m, granted).not.toBeNull();
    const id = m![1]!;
    expect(await ok(["put", "--lease", id, "with-lease", "v"])).toBe("OK\n");
    expect(await ok(["lease", "keep-alive", "--once", id])).toMatch(
      new RegExp(`lease ${id} keepalived with TTL\\(60\\)`),
    );
    expect(await ok(["lease", "timetolive", "--keys", id])).toContain("attached keys([with-lease])");
    expect(await ok(["lease", "list"])).toContain(id);
    expect(await ok(["lease", "revoke", id])).toContain("revoked");
    expect(await ok(["get", "with-lease"])).toBe("");
  });

  it("member list shows this member with its URLs", async () => {
    const out = await ok(["member", "list"]);
    const hexId = BigInt(cluster.backend.memberId).toString(16);
    expect(out).toBe(`${hexId}, started, m1, http://127.0.0.1:2380, http://${cluster.endpoint}, false\n`);
  });

  it("endpoint status reports the version, leader, term and indexes", async () => {
    const out = await ok(["endpoint", "status", "-w", "json"]);
    const [entry] = JSON.parse(out) as { Status: Record<string, unknown> }[];
    const s = entry!.Status;
    expect(s["version"]).toMatch(/^3\.5\.\d+$/);
    // The table prints 64-bit ids exactly (JSON.parse would round them).
    const row = (await ok(["endpoint", "status"])).trim().split(", ");
    const hexId = BigInt(cluster.backend.memberId).toString(16);
    expect(row.slice(0, 3)).toEqual([cluster.endpoint, hexId, s["version"]]);
    expect(row[4]).toBe("true"); // is leader
    expect(row[5]).toBe("false"); // is learner
    expect(s["raftTerm"]).toBe(2);
    expect(s["raftIndex"]).toBeGreaterThan(1);
    expect(s["raftAppliedIndex"]).toBe(s["raftIndex"]);
    expect(s["dbSize"]).toBeGreaterThan(0);
  });

  it("endpoint health commits a linearizable read and finds no alarm", async () => {
    const r = await run(["endpoint", "health"]);
    expect(r.code).toBe(0);
    expect(r.stdout + r.stderr).toContain(`${cluster.endpoint} is healthy`);
  });

  it("snapshot save writes a file with etcd's checksum layout that restores our store", async () => {
    await ok(["put", "in-snapshot", "yes"]);
    const file = join(dir, "snap.db");
    const r = await run(["snapshot", "save", file]);
    expect(r.code, r.stderr).toBe(0);
    expect(statSync(file).size % 512).toBe(32);
    const restored = new MvccStore();
    restored.restore([unwrapSnapshotFile(readFileSync(file))]);
    const got = restored.range({ key: utf8("in-snapshot") });
    expect(got.ok && new TextDecoder().decode(got.value.range.kvs[0]?.value)).toBe("yes");
  });
});
