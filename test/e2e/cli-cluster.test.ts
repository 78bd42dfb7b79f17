/**
 * `flotilla up/status/kill/restart/snapshot/down` against real master processes, with etcdctl
 * as the client: a cluster comes up detached, serves writes, survives its leader being
 * killed, takes the old leader back as a follower, and resumes its data after `down` and
 * `up` again. Every wait is bounded; afterAll stops whatever is left.
 */
import { readFileSync, rmSync, statSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readCluster } from "../../services/cli/support/cluster-dir.js";
import type { MemberJson, StatusJson } from "../../services/cli/support/output.js";
import { isMasterAlive, signalPid } from "../../services/cli/support/process.js";
import { ETCDCTL, etcdctl, eventually, flotilla, flotillaOk, HAVE_ETCDCTL } from "./support/cli-run.js";

// CI sets FLOTILLA_REQUIRE_ETCDCTL: there a missing etcdctl is a broken install, not a reason to skip.
if (!HAVE_ETCDCTL && process.env["FLOTILLA_REQUIRE_ETCDCTL"])
  throw new Error(`etcdctl is required (FLOTILLA_REQUIRE_ETCDCTL is set) but there is none at ${ETCDCTL}`);

/** Bound for a new leader after the old one is killed (election timeout is 10-20 ticks of 20 ms). */
const FAILOVER_MS = 15_000;

describe.skipIf(!HAVE_ETCDCTL)("flotilla cluster lifecycle", () => {
  let tmp: string;
  let dir: string;
  let endpoints: string; // "--endpoints=127.0.0.1:P1,…" as printed by up
  let killed: string;

  async function status(): Promise<StatusJson> {
    return JSON.parse(await flotillaOk(["status", "--dir", dir, "-o", "json"])) as StatusJson;
  }
  const member = (st: StatusJson, name: string): MemberJson => st.members.find((m) => m.name === name)!;

  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), "flotilla-cli-e2e-"));
    dir = join(tmp, "cluster");
  });

  afterAll(async () => {
    await flotilla(["down", "--dir", dir, "--timeout", "3"], 20_000);
    // If down itself failed, nothing may outlive the test.
    try {
      for (const m of readCluster(dir).members) if (isMasterAlive(dir, m)) signalPid(m.pid!, "SIGKILL");
    } catch {
      // no cluster.json: nothing was started
    }
    rmSync(tmp, { recursive: true, force: true });
  });

  it("up --detach starts three masters, waits for a leader and prints the etcdctl line", async () => {
    const out = await flotillaOk(["up", "--detach", "--dir", dir, "--tick-ms", "20", "--timeout", "45"]);
    const line = /^ {2}etcdctl (--endpoints=127\.0\.0\.1:\d+,127\.0\.0\.1:\d+,127\.0\.0\.1:\d+)$/m.exec(out);
    expect(line, out).not.toBeNull();
    endpoints = line![1]!;
    expect(out).toMatch(/^Leader: m[123] \(term \d+\)/m);
    expect(out).toContain(`flotilla kill leader --dir ${dir}`);
  });

  it("status -o json lists three members, every one answering, and one leader", async () => {
    const st = await status();
    expect(st.members.map((m) => m.name)).toEqual(["m1", "m2", "m3"]);
    expect(st.members.every((m) => m.state === "up")).toBe(true);
    expect(st.members.filter((m) => m.role === "leader")).toHaveLength(1);
    expect(st.leader).toBe(st.members.find((m) => m.role === "leader")!.name);
    for (const m of st.members) {
      expect(m.http).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(m.peer).toMatch(/^127\.0\.0\.1:\d+$/);
      expect(endpoints).toContain(m.client);
      expect(m.term).toBeGreaterThan(0);
      expect(m.commitIndex).toBeGreaterThanOrEqual(m.appliedIndex!);
    }
  });

  it("serves etcdctl put and get on the printed endpoints", async () => {
    const put = await etcdctl(endpoints, ["put", "greeting", "hello"]);
    expect(put.stderr).toBe("");
    expect(put.stdout.trim()).toBe("OK");
    const get = await etcdctl(endpoints, ["get", "greeting", "--print-value-only"]);
    expect(get.stdout.trim()).toBe("hello");
  });

  it("kill leader SIGKILLs the leader; status shows it down and a new leader", async () => {
    const before = await status();
    killed = before.leader!;
    const out = await flotillaOk(["kill", "leader", "--dir", dir]);
    expect(out).toContain(`Killed ${killed} (pid ${member(before, killed).pid}, leader in term`);
    const after = await eventually(
      "a new leader",
      async () => {
        const st = await status();
        return st.leader !== null && st.leader !== killed ? st : undefined;
      },
      FAILOVER_MS,
    );
    expect(member(after, killed)).toMatchObject({
      state: "down",
      role: null,
      pid: member(before, killed).pid,
    });
    expect(after.term!).toBeGreaterThan(before.term!);
    const put = await etcdctl(endpoints, ["put", "after-failover", "yes"]);
    expect(put.stdout.trim()).toBe("OK");
  });

  it("kill of a member that is down says so and how to start it", async () => {
    const r = await flotilla(["kill", killed, "--dir", dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${killed} is not running`);
    expect(r.stderr).toContain(`flotilla restart ${killed} --dir ${dir}`);
  });

  it("restart brings the killed member back; it rejoins as a follower and catches up", async () => {
    const out = await flotillaOk(["restart", killed, "--dir", dir, "--timeout", "45"]);
    expect(out).toMatch(new RegExp(`^${killed} answers after .*: follower in term \\d+, leader m\\d`, "m"));
    const st = await eventually(
      `${killed} to catch up`,
      async () => {
        const s = await status();
        const m = member(s, killed);
        const lead = s.leader === null ? undefined : member(s, s.leader);
        return m.role === "follower" && lead && m.appliedIndex! >= lead.commitIndex! - 1 ? s : undefined;
      },
      FAILOVER_MS,
    );
    expect(st.members.filter((m) => m.role === "leader")).toHaveLength(1);
    // Its own replica has the writes made while it was down (a serializable read is local).
    const own = `--endpoints=${member(st, killed).client}`;
    const get = await eventually(
      "the write made during the failover on the restarted member",
      async () => {
        const r = await etcdctl(own, ["get", "after-failover", "--print-value-only", "--consistency=s"]);
        return r.stdout.trim() === "yes" ? r : undefined;
      },
      FAILOVER_MS,
    );
    expect(get.code).toBe(0);
  });

  it("up on a running cluster says so and starts no duplicate", async () => {
    const pids = readCluster(dir).members.map((m) => m.pid);
    const out = await flotillaOk(["up", "--detach", "--dir", dir]);
    expect(out).toContain(`The cluster in ${dir} is already running`);
    expect(readCluster(dir).members.map((m) => m.pid)).toEqual(pids);
  });

  it("up with one member down starts only that one", async () => {
    const st = await status();
    const follower = st.members.find((m) => m.role === "follower")!.name;
    await flotillaOk(["kill", follower, "--dir", dir]);
    const running = st.members.filter((m) => m.name !== follower);
    const out = await flotillaOk(["up", "--detach", "--dir", dir, "--timeout", "45"]);
    for (const m of running)
      expect(out).toContain(`${m.name} is already running (pid ${m.pid}); not starting another.`);
    expect(out).toContain(`Starting ${follower} in ${dir}`);
    const after = await status();
    expect(after.members.every((m) => m.state === "up")).toBe(true);
    for (const m of running) expect(member(after, m.name).pid).toBe(m.pid);
  });

  it("partition cuts the leader off until the others elect a new one; --heal reunites them", async () => {
    const before = await status();
    const cut = before.leader!;
    const out = await flotillaOk(["partition", "leader", "--from", "all", "--dir", dir]);
    expect(out).toContain(`${cut} is cut off from`);
    await eventually(
      "a leader other than the cut-off member",
      async () => {
        const st = await status();
        return st.leader !== null && st.leader !== cut && member(st, cut).state === "up" ? st : undefined;
      },
      FAILOVER_MS,
    );
    const healed = await flotillaOk(["partition", "--heal", "--dir", dir]);
    expect(healed).toMatch(/^m1: healed$/m);
    const st = await eventually(
      `${cut} to follow again`,
      async () => {
        const s = await status();
        return member(s, cut).role === "follower" && member(s, cut).leader === s.leader ? s : undefined;
      },
      FAILOVER_MS,
    );
    expect(st.members.filter((m) => m.role === "leader")).toHaveLength(1);
  });

  it("snapshot save writes a whole snapshot file", async () => {
    const file = join(tmp, "backup.snapshot");
    const out = await flotillaOk(["snapshot", "save", file, "--dir", dir]);
    expect(out).toMatch(/^Saved a snapshot of m\d \(revision \d+, \d+ bytes of store/);
    const size = statSync(file).size;
    expect(size % 512).toBe(32); // the envelope etcd's clients expect
    expect(readFileSync(file).includes(Buffer.from("greeting"))).toBe(true);
  });

  it("down stops every master and keeps the data; up again resumes it on the same ports", async () => {
    const ports = readCluster(dir).members.map((m) => [m.clientPort, m.peerPort, m.httpPort]);
    const down = await flotillaOk(["down", "--dir", dir]);
    expect(down).toMatch(/^m1: stopped/m);
    const st = await status();
    expect(st.members.map((m) => m.state)).toEqual(["down", "down", "down"]);

    const up = await flotillaOk(["up", "--detach", "--dir", dir, "--timeout", "45"]);
    expect(up).toContain("Resuming the cluster");
    expect(up).toContain(`etcdctl ${endpoints}`);
    expect(readCluster(dir).members.map((m) => [m.clientPort, m.peerPort, m.httpPort])).toEqual(ports);
    const get = await etcdctl(endpoints, ["get", "greeting", "--print-value-only"]);
    expect(get.stdout.trim()).toBe("hello");
  });

  it("down --purge removes the data", async () => {
    const out = await flotillaOk(["down", "--dir", dir, "--purge"]);
    expect(out).toContain(`Removed the data, logs and cluster.json of ${dir}`);
    const r = await flotilla(["status", "--dir", dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`no cluster in ${dir}`);
  });
});
