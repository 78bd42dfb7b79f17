/**
 * Three Flotilla masters on free loopback ports, data dirs in a temp folder, started as
 * `node dist/services/cli/main.js master ...` (node itself, so SIGKILL hits the master), with
 * --fsync on and the default 100 ms tick (election 10 ticks, randomized to [10, 20)).
 *
 * The masters run the compiled JavaScript that `npx flotilla` runs, not the sources through
 * tsx (whose transform adds helpers to hot functions); the first cluster of a run builds
 * dist/ (npm run build) so that the figures are always of the current sources.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  BenchCluster,
  DEFAULT_SNAPSHOT_ENTRIES,
  DEFAULT_TIMING,
  type MemberSpec,
  memberSpecs,
  type Timing,
} from "./cluster.js";
import { freeLoopbackPorts, type ProcessGroup } from "./processes.js";

/** The project root, three folders above test/bench/clusters/. */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const CLI_MAIN = join(ROOT, "dist", "services", "cli", "main.js");
let built = false;

/** Compiles the sources into dist/ (once per benchmark run): the masters run that build. */
function buildOnce(): void {
  if (built) return;
  console.error("building dist/ (the masters run the compiled code, as npx flotilla does)");
  execFileSync("npm", ["run", "--silent", "build"], { cwd: ROOT, stdio: "inherit" });
  built = true;
}
/**
 * Extra node flags for the masters, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile
 * them (the cluster then stops them with SIGTERM so the profile is written).
 */
const NODE_ARGS = splitNodeArgs(process.env["BENCH_FLOTILLA_NODE_ARGS"] ?? "");
/** The masters' --peer-protocol (grpc, their default, or tcp). */
const PEER_PROTOCOL = process.env["BENCH_FLOTILLA_PEER_PROTOCOL"] ?? "grpc";

/** Space-separated node flags ("" for none). */
export function splitNodeArgs(flags: string): string[] {
  return flags.split(" ").filter((a) => a !== "");
}

/** Which compiled Flotilla the masters run, and with which node flags. */
export interface FlotillaBuild {
  /** dist/services/cli/main.js of the build. */
  readonly cliMain: string;
  readonly nodeArgs: readonly string[];
  /** What `version()` reports about the build. */
  readonly label: string;
}

/** This checkout's dist/ (rebuilt once per run) with BENCH_FLOTILLA_NODE_ARGS. */
export function currentBuild(nodeArgs: readonly string[] = NODE_ARGS): FlotillaBuild {
  buildOnce();
  return { cliMain: CLI_MAIN, nodeArgs, label: "dist/" };
}

interface HttpStatus {
  readonly role?: string;
  readonly term?: number | string;
  readonly leader?: { readonly name?: string } | null;
}

export class FlotillaCluster extends BenchCluster {
  readonly system = "flotilla" as const;
  readonly timing: Timing = {
    ...DEFAULT_TIMING,
    flags:
      `--tick-ms ${DEFAULT_TIMING.heartbeatMs} (election ${DEFAULT_TIMING.electionTimeoutMs / DEFAULT_TIMING.heartbeatMs} ticks)` +
      ` --snapshot-entries ${DEFAULT_SNAPSHOT_ENTRIES} --fsync on --peer-protocol ${PEER_PROTOCOL}`,
  };
  protected readyPattern = /"msg"\s*:\s*"ready"/;

  constructor(
    group: ProcessGroup,
    members: readonly MemberSpec[],
    private readonly build: FlotillaBuild,
  ) {
    super(group, members);
  }

  async version(): Promise<string> {
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version?: string };
    const flags = this.build.nodeArgs.length > 0 ? `, node flags ${this.build.nodeArgs.join(" ")}` : "";
    return `flotilla ${pkg.version ?? "?"} (${this.build.label}, node ${process.version}${flags})`;
  }

  protected override cwd(): string {
    return ROOT;
  }

  protected command(m: MemberSpec): { cmd: string; args: string[] } {
    const cluster = this.members.map((x) => `${x.name}=http://${x.peerAddr}`).join(",");
    return {
      cmd: process.execPath,
      args: [
        ...this.build.nodeArgs,
        this.build.cliMain,
        "master",
        "--name",
        m.name,
        "--data-dir",
        m.dataDir,
        "--listen-peer",
        m.peerAddr,
        "--listen-client",
        m.clientAddr,
        "--listen-http",
        m.httpAddr,
        "--initial-cluster",
        cluster,
        "--fsync",
        "on",
        "--tick-ms",
        String(this.timing.heartbeatMs),
        "--election-ticks",
        String(this.timing.electionTimeoutMs / this.timing.heartbeatMs),
        "--snapshot-entries",
        String(DEFAULT_SNAPSHOT_ENTRIES),
        "--peer-protocol",
        PEER_PROTOCOL,
      ],
    };
  }

  /** Profiled masters write their profile only on a graceful exit. */
  protected override get gracefulStop(): boolean {
    return this.build.nodeArgs.length > 0;
  }

  /** GET /status on every live member; the self-declared leader at the highest term. */
  protected override async leaderFallback(): Promise<string | undefined> {
    let best: { name: string; term: number } | undefined;
    for (const m of this.members) {
      if (!this.isAlive(m.name)) continue;
      try {
        const res = await fetch(`http://${m.httpAddr}/status`, { signal: AbortSignal.timeout(1000) });
        const s = (await res.json()) as HttpStatus;
        const term = Number(s.term ?? 0);
        if (s.role === "leader" && (!best || term > best.term)) best = { name: m.name, term };
      } catch {
        // not answering: not the leader we can kill
      }
    }
    return best?.name;
  }
}

/** Three masters of `build` (by default this checkout's, built now) on free ports. */
export async function createFlotillaCluster(
  group: ProcessGroup,
  build: FlotillaBuild = currentBuild(),
): Promise<FlotillaCluster> {
  const root = group.tempDir("flotilla-bench-flotilla-");
  return new FlotillaCluster(group, memberSpecs(root, await freeLoopbackPorts(9)), build);
}
