/**
 * Leader election on a Lease across three real processes (test/e2e/support/elector-process.ts)
 * against a real three-master cluster: the holder is SIGKILLed, restarted with its identity,
 * and the next holder is killed too. At no moment may two candidates hold leadership: every
 * candidate prints when it starts and stops leading, a killed holder's term ends when the
 * test kills it, and no two terms may overlap.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MasterCluster, ROOT, waitFor } from "./support/master-cluster.js";

const LEASE_MS = 1500;
const RENEW_MS = 1000;
const RETRY_MS = 150;
const ROUNDS = 3;

interface Candidate {
  readonly identity: string;
  child: ChildProcess;
}

/** One stretch of leadership; `endMs` undefined while it lasts. */
interface Term {
  readonly identity: string;
  readonly startMs: number;
  endMs: number | undefined;
}

describe("leader election on a Lease across three processes", () => {
  let c: MasterCluster;
  const terms: Term[] = [];
  const candidates = new Map<string, Candidate>();

  function spawnCandidate(identity: string): void {
    const child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        join(ROOT, "test/e2e/support/elector-process.ts"),
        identity,
        c.endpoints().join(","),
        String(LEASE_MS),
        String(RENEW_MS),
        String(RETRY_MS),
      ],
      { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] },
    );
    let buffered = "";
    child.stdout?.on("data", (d: Buffer) => {
      buffered += d.toString();
      for (let nl = buffered.indexOf("\n"); nl >= 0; nl = buffered.indexOf("\n")) {
        const line = JSON.parse(buffered.slice(0, nl)) as { event: string; identity: string; atMs: number };
        buffered = buffered.slice(nl + 1);
        if (line.event === "started") terms.push({ identity, startMs: line.atMs, endMs: undefined });
        if (line.event === "stopped") {
          const open = terms.find((t) => t.identity === identity && t.endMs === undefined);
          if (open) open.endMs = line.atMs;
        }
      }
    });
    candidates.set(identity, { identity, child });
  }

  /** SIGKILLs a candidate; its open term ends now (a dead process cannot act as leader). */
  async function kill(identity: string): Promise<void> {
    const cand = candidates.get(identity)!;
    if (cand.child.exitCode !== null || cand.child.signalCode !== null)
      throw new Error(
        `candidate ${identity} had already exited (${cand.child.exitCode ?? cand.child.signalCode})`,
      );
    const exited = new Promise((r) => cand.child.once("exit", r));
    const atMs = Date.now();
    cand.child.kill("SIGKILL");
    await exited;
    for (const t of terms) if (t.identity === identity && t.endMs === undefined) t.endMs = atMs;
  }

  const holder = (): string | undefined => terms.find((t) => t.endMs === undefined)?.identity;

  beforeAll(async () => {
    c = await MasterCluster.start(3);
    await c.settled();
  });
  afterAll(async () => {
    for (const cand of candidates.values()) cand.child.kill("SIGKILL");
    await c?.close();
  });

  it("has exactly one holder at a time while holders are killed and restarted", async () => {
    for (const id of ["e1", "e2", "e3"]) spawnCandidate(id);
    const holders: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      await waitFor(() => holder() !== undefined, `a holder in round ${round}`, 30_000);
      const h = holder()!;
      holders.push(h);
      await kill(h);
      // A restarted candidate keeps its identity, as a restarted controller-manager would.
      if (round < ROUNDS - 1) spawnCandidate(h);
    }
    await waitFor(() => holder() !== undefined, "a holder after the last kill", 30_000);

    // Every kill moved leadership: each round's holder differs from the previous one's.
    expect(holders.length).toBe(ROUNDS);
    expect(terms.length).toBeGreaterThanOrEqual(ROUNDS + 1);
    const sorted = [...terms].sort((a, b) => a.startMs - b.startMs);
    for (let i = 1; i < sorted.length; i++) {
      const prev = sorted[i - 1]!;
      const next = sorted[i]!;
      expect(
        prev.endMs,
        `${prev.identity}'s term (from ${prev.startMs}) still open when ${next.identity} started`,
      ).toBeDefined();
      expect(
        next.startMs,
        `${next.identity} started leading at ${next.startMs} before ${prev.identity} stopped at ${prev.endMs}`,
      ).toBeGreaterThanOrEqual(prev.endMs!);
    }
  }, 180_000);
});
