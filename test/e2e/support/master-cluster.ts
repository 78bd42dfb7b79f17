/**
 * Real master processes for the master end-to-end tests: each member runs
 * `node --import tsx services/control-plane/master/cli-entry.ts …` (no build needed) on
 * loopback ports picked by binding to 0, with a data dir under one temp folder. Every wait
 * has a deadline; `close` SIGKILLs whatever still runs and removes the folder.
 *
 * Ports are released before the masters bind them, and a client's outgoing connection in
 * another test file may take one in between (they share the ephemeral range). A founding
 * start that fails on EADDRINUSE is therefore started again on new ports, a bounded number
 * of times, instead of failing the test for a neighbour's connection.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePorts } from "../../../services/cli/support/ports.js";
import { ROOT } from "./child-process.js";

export { ROOT } from "./child-process.js";

const ENTRY = join(ROOT, "services/control-plane/master/cli-entry.ts");

/** One structured log line of a master. */
export type LogLine = { readonly msg: string; readonly level: string } & Record<string, unknown>;

export interface MemberSpec {
  readonly name: string;
  readonly peerPort: number;
  readonly clientPort: number;
  readonly httpPort: number;
  readonly dataDir: string;
}

export interface RunningMember {
  readonly spec: MemberSpec;
  readonly child: ChildProcess;
  readonly lines: LogLine[];
  stderr: string;
  /** Set once the process has exited and its output is drained. */
  closed: boolean;
  /** Resolves with the exit code (null when killed by a signal) once stdout and stderr are drained. */
  readonly exited: Promise<number | null>;
}

/** What GET /status answers (the fields the tests read). */
export interface StatusJson {
  readonly name: string;
  readonly id: string;
  readonly role: string;
  readonly term: number;
  readonly leader: { readonly name: string; readonly id: string } | null;
  readonly commitIndex: number;
  readonly appliedIndex: number;
  readonly revision: number;
  readonly members: ReadonlyArray<{ name: string; id: string; role: string; clientURL: string }>;
  readonly partition: unknown;
  readonly pid: number;
}

export interface ClusterOptions {
  /** @default 25 */
  readonly tickMs?: number;
  /** @default "off" */
  readonly fsync?: "on" | "off";
  /** Extra flags for every member. */
  readonly extraArgs?: readonly string[];
}

/** Polls `cond` (every 50 ms) until true; throws naming `what` after `timeoutMs`. */
export async function waitFor(
  cond: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      if (await cond()) return;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${String(lastError)})` : ""}`,
      );
    await sleep(50);
  }
}

/** How many times a founding start is tried on fresh ports when a port was taken meanwhile. */
const START_ATTEMPTS = 3;

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class MasterCluster {
  readonly specs: MemberSpec[] = [];
  readonly running = new Map<string, RunningMember>();
  /** Members named in --initial-cluster of the founders. */
  private founders: string[] = [];

  private constructor(
    readonly root: string,
    readonly options: ClusterOptions,
  ) {}

  /** Reserves ports for `size` founding members m1..mN and starts them all. */
  static async start(size: number, options: ClusterOptions = {}): Promise<MasterCluster> {
    for (let attempt = 1; ; attempt++) {
      const c = new MasterCluster(mkdtempSync(join(tmpdir(), "flotilla-master-e2e-")), options);
      const ports = await freePorts(3 * size, "127.0.0.1");
      for (let i = 0; i < size; i++) c.addSpec(`m${i + 1}`, ports.slice(3 * i, 3 * i + 3));
      c.founders = c.specs.map((s) => s.name);
      try {
        await Promise.all(c.founders.map((n) => c.startMember(n)));
        return c;
      } catch (e) {
        await c.close();
        if (attempt >= START_ATTEMPTS || !String(e).includes("EADDRINUSE")) throw e;
      }
    }
  }

  /** Reserves ports and a data dir for a member to be added later. */
  async reserve(name: string): Promise<MemberSpec> {
    return this.addSpec(name, await freePorts(3, "127.0.0.1"));
  }

  private addSpec(name: string, [peerPort, clientPort, httpPort]: number[]): MemberSpec {
    const spec: MemberSpec = {
      name,
      peerPort: peerPort!,
      clientPort: clientPort!,
      httpPort: httpPort!,
      dataDir: join(this.root, name),
    };
    this.specs.push(spec);
    return spec;
  }

  spec(name: string): MemberSpec {
    const s = this.specs.find((x) => x.name === name);
    if (!s) throw new Error(`no member ${name}`);
    return s;
  }

  /** --initial-cluster for `names` (default: the founders). */
  initialCluster(names: readonly string[] = this.founders): string {
    return names.map((n) => `${n}=http://127.0.0.1:${this.spec(n).peerPort}`).join(",");
  }

  /** The flags `name` is started with. */
  args(name: string, opts: { join?: boolean; initialCluster?: readonly string[] } = {}): string[] {
    const s = this.spec(name);
    return [
      "--name",
      name,
      "--data-dir",
      s.dataDir,
      "--listen-peer",
      `127.0.0.1:${s.peerPort}`,
      "--listen-client",
      `127.0.0.1:${s.clientPort}`,
      "--listen-http",
      `127.0.0.1:${s.httpPort}`,
      "--initial-cluster",
      this.initialCluster(opts.initialCluster),
      "--tick-ms",
      String(this.options.tickMs ?? 25),
      "--fsync",
      this.options.fsync ?? "off",
      ...(opts.join ? ["--join"] : []),
      ...(this.options.extraArgs ?? []),
    ];
  }

  /** Starts (or restarts) a member and waits for its "ready" line. */
  async startMember(
    name: string,
    opts: { join?: boolean; initialCluster?: readonly string[] } = {},
  ): Promise<RunningMember> {
    if (this.running.has(name)) throw new Error(`${name} is already running`);
    const member = spawnMaster(this.args(name, opts));
    const m: RunningMember = { ...member, spec: this.spec(name) };
    this.running.set(name, m);
    void m.exited.then(() => {
      if (this.running.get(name) === m) this.running.delete(name);
    });
    await waitFor(
      () => {
        if (m.closed) throw new Error(`${name} exited ${m.child.exitCode}: ${m.stderr.trim()}`);
        return m.lines.some((l) => l.msg === "ready");
      },
      `${name} to print ready`,
      30_000,
    );
    return m;
  }

  /** Sends `signal` to a running member and waits for it to exit; returns the exit code. */
  async stopMember(name: string, signal: NodeJS.Signals = "SIGKILL"): Promise<number | null> {
    const m = this.running.get(name);
    if (!m) throw new Error(`${name} is not running`);
    m.child.kill(signal);
    const code = await Promise.race([m.exited, sleep(15_000).then(() => "timeout" as const)]);
    if (code === "timeout") {
      m.child.kill("SIGKILL");
      throw new Error(`${name} did not exit within 15 s of ${signal}`);
    }
    this.running.delete(name);
    return code;
  }

  client(name: string): string {
    return `127.0.0.1:${this.spec(name).clientPort}`;
  }

  /** Client endpoints of the running members (or of `names`). */
  endpoints(names: readonly string[] = [...this.running.keys()]): string[] {
    return names.map((n) => this.client(n));
  }

  async status(name: string): Promise<StatusJson> {
    const res = await fetch(`http://127.0.0.1:${this.spec(name).httpPort}/status`, {
      signal: AbortSignal.timeout(2000),
    });
    if (!res.ok) throw new Error(`${name} /status: ${res.status}`);
    return (await res.json()) as StatusJson;
  }

  /** POSTs JSON to an admin path; returns the status code and the parsed body. */
  async admin(name: string, path: string, body: string): Promise<{ code: number; body: unknown }> {
    const res = await fetch(`http://127.0.0.1:${this.spec(name).httpPort}${path}`, {
      method: "POST",
      body,
      headers: { "content-type": "application/json" },
      signal: AbortSignal.timeout(2000),
    });
    return { code: res.status, body: await res.json() };
  }

  /** Waits until every running member (or `among`) knows the same leader in the same term; returns its name. */
  async leader(among: readonly string[] = [...this.running.keys()], timeoutMs = 20_000): Promise<string> {
    let leader = "";
    await waitFor(
      async () => {
        const st = await Promise.all(among.map((n) => this.status(n)));
        const l = st.find((s) => s.role === "leader");
        if (!l || st.some((s) => s.leader?.id !== l.id || s.term !== l.term)) return false;
        leader = l.name;
        return true;
      },
      `one leader known to ${among.join(", ")}`,
      timeoutMs,
    );
    return leader;
  }

  /**
   * Waits for one leader and for every running member to know every member's published
   * name and client URL (needed to forward lease keep-alives to the leader).
   */
  async settled(timeoutMs = 30_000): Promise<string> {
    const names = [...this.running.keys()];
    const leader = await this.leader(names, timeoutMs);
    await waitFor(
      async () => {
        const st = await Promise.all(names.map((n) => this.status(n)));
        return st.every((s) => names.every((n) => s.members.some((m) => m.name === n && m.clientURL !== "")));
      },
      "every member to publish its name and client URL",
      timeoutMs,
    );
    return leader;
  }

  /** Waits until the members (default: running) applied the same index and revision. */
  async converged(among: readonly string[] = [...this.running.keys()], timeoutMs = 20_000): Promise<number> {
    let revision = 0;
    await waitFor(
      async () => {
        const st = await Promise.all(among.map((n) => this.status(n)));
        const commit = Math.max(...st.map((s) => s.commitIndex));
        revision = st[0]!.revision;
        return st.every((s) => s.appliedIndex === commit && s.revision === revision);
      },
      `${among.join(", ")} to converge`,
      timeoutMs,
    );
    return revision;
  }

  /** SIGKILLs every member still running and removes the data. */
  async close(): Promise<void> {
    const all = [...this.running.values()];
    for (const m of all) m.child.kill("SIGKILL");
    await Promise.all(all.map((m) => Promise.race([m.exited, sleep(5000)])));
    this.running.clear();
    rmSync(this.root, { recursive: true, force: true });
  }
}

/** Spawns a master with `args`, collecting its JSON log lines and stderr. */
export function spawnMaster(args: readonly string[]): Omit<RunningMember, "spec"> {
  const child = spawn(process.execPath, ["--import", "tsx", ENTRY, ...args], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: LogLine[] = [];
  let buf = "";
  child.stdout!.on("data", (d: Buffer) => {
    buf += d.toString();
    let nl = buf.indexOf("\n");
    while (nl >= 0) {
      const text = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      try {
        lines.push(JSON.parse(text) as LogLine);
      } catch {
        lines.push({ msg: "(not json)", level: "?", text });
      }
      nl = buf.indexOf("\n");
    }
  });
  const m = {
    child,
    lines,
    stderr: "",
    closed: false,
    // "close" rather than "exit": by then stderr is read to the end, so a failure can quote it.
    exited: new Promise<number | null>((res) =>
      child.once("close", (code) => {
        m.closed = true;
        res(code);
      }),
    ),
  };
  child.stderr!.on("data", (d: Buffer) => {
    m.stderr += d.toString();
  });
  return m;
}
