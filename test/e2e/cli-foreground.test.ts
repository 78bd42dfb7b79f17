/**
 * `flotilla up` in the foreground: it shows the election as it happens, notices a member
 * killed from another terminal, and Ctrl-C (SIGINT) stops every master and exits 0.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { rmSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readCluster } from "../../services/cli/support/cluster-dir.js";
import { isMasterAlive, signalPid } from "../../services/cli/support/process.js";
import { CLI_MAIN, eventually, flotillaOk, ROOT } from "./support/cli-run.js";

describe("flotilla up in the foreground", () => {
  let tmp: string;
  let dir: string;
  let up: ChildProcess;
  let out = "";
  let exited: Promise<number | null>;

  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), "flotilla-cli-fg-"));
    dir = join(tmp, "cluster");
    up = spawn(
      process.execPath,
      ["--import", "tsx", CLI_MAIN, "up", "--dir", dir, "--tick-ms", "20", "--timeout", "45"],
      {
        cwd: ROOT,
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    up.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
    });
    up.stderr!.on("data", (d: Buffer) => {
      out += d.toString();
    });
    exited = new Promise((resolve) => up.on("exit", (code) => resolve(code)));
  });

  afterAll(async () => {
    up.kill("SIGKILL");
    try {
      for (const m of readCluster(dir).members) if (isMasterAlive(dir, m)) signalPid(m.pid!, "SIGKILL");
    } catch {
      // nothing started
    }
    rmSync(tmp, { recursive: true, force: true });
  });

  it("shows the first election once the cluster is up", async () => {
    await eventually(
      "the election in the foreground output",
      async () =>
        /Following elections/.test(out) && /leader elected: m\d in term \d+/.test(out) ? true : undefined,
      45_000,
    );
    expect(out).toMatch(/^\d\d:\d\d:\d\d\.\d{3} {2}m\d {2}ready \(pid \d+\)$/m);
  });

  it("shows a member killed from another terminal going down and the next election", async () => {
    const before = out.length;
    const kill = await flotillaOk(["kill", "leader", "--dir", dir]);
    const name = /^Killed (m\d)/.exec(kill)![1]!;
    await eventually(
      "the kill and a new election in the output",
      async () => {
        const since = out.slice(before);
        return since.includes(`${name}  DOWN: process`) && /leader elected: m\d in term \d+/.test(since)
          ? true
          : undefined;
      },
      15_000,
    );
  });

  it("stops every master on SIGINT and exits 0", async () => {
    up.kill("SIGINT");
    const code = await Promise.race([
      exited,
      new Promise<"timeout">((r) => setTimeout(() => r("timeout"), 20_000)),
    ]);
    expect(code, out).toBe(0);
    expect(out).toContain("SIGINT: stopping every master");
    expect(out).toMatch(/^ {2}m\d: not running$/m); // the one killed before
    const rec = readCluster(dir);
    expect(rec.members.filter((m) => isMasterAlive(dir, m))).toEqual([]);
  });
});
