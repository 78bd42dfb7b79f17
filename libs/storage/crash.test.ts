import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EMPTY_HARD_STATE } from "../raft/index.js";
import { seededRng } from "../raft/rng.js";
import { openStorage } from "./recovery.js";
import { applySave, type LogModel, type PlannedSave, planner } from "./test-support/crash-workload.js";
import { logTerms, makeTempDir, removeDir } from "./test-support/helpers.js";

const WRITER = fileURLToPath(new URL("./test-support/crash-writer.ts", import.meta.url));
const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
const ROUNDS = 6;
const ROUND_TIMEOUT_MS = 30_000;

/** Runs the writer until it has acknowledged `acksBeforeKill` saves, then SIGKILLs it; returns the last ack. */
async function runAndKill(dir: string, seed: number, acksBeforeKill: number): Promise<number> {
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", WRITER, dir, String(seed)], {
    cwd: REPO_ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let lastAck = 0;
  let buffered = "";
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  // "close", not "exit": every line the child wrote before dying must be read first.
  const exited = new Promise<void>((resolve) => child.once("close", () => resolve()));
  const timer = setTimeout(() => child.kill("SIGKILL"), ROUND_TIMEOUT_MS);
  child.stdout?.on("data", (d: Buffer) => {
    buffered += d.toString();
    const lines = buffered.split("\n");
    buffered = lines.pop() ?? "";
    for (const line of lines) {
      const m = /^ack (\d+)$/.exec(line);
      if (m) lastAck = Number(m[1]);
    }
    if (lastAck >= acksBeforeKill) child.kill("SIGKILL");
  });
  await exited;
  clearTimeout(timer);
  if (lastAck < acksBeforeKill) throw new Error(`writer stopped after ${lastAck} acks: ${stderr}`);
  return lastAck;
}

describe("crash during writes (child process SIGKILLed mid-stream)", () => {
  let dir = "";
  beforeAll(async () => {
    dir = await makeTempDir();
  });
  afterAll(async () => {
    await removeDir(dir);
  });

  it("every save whose promise resolved before the kill is recovered, round after round", async () => {
    const rng = seededRng(20240607);
    const model: LogModel = { terms: [], hardState: EMPTY_HARD_STATE };
    for (let round = 1; round <= ROUNDS; round++) {
      const seed = 1000 + round;
      const lastAck = await runAndKill(dir, seed, 20 + rng.intn(200));

      // Replay the child's plan: the state after the last acknowledged save must be on disk;
      // the save in flight at the kill may or may not have landed, nothing later can have.
      const plan = planner(seed);
      let inFlight: PlannedSave | undefined;
      for (let n = 1; n <= lastAck + 1; n++) {
        const save = plan(model);
        if (n <= lastAck) applySave(model, save);
        else inFlight = save;
      }
      const withInFlight: LogModel = { terms: [...model.terms], hardState: model.hardState };
      if (inFlight) applySave(withInFlight, inFlight);

      const { storage, wal } = await openStorage(dir, { segmentBytesMax: 64 * 1024 });
      const recovered = {
        terms: logTerms(storage).map(([, term]) => term),
        hardState: storage.initialState().hardState,
      };
      await wal.close();
      const matches = (m: LogModel): boolean =>
        JSON.stringify(m.terms) === JSON.stringify(recovered.terms) &&
        JSON.stringify(m.hardState) === JSON.stringify(recovered.hardState);
      expect(
        matches(model) || matches(withInFlight),
        `round ${round}: recovered log after ${lastAck} acks`,
      ).toBe(true);
      if (!matches(model)) applySave(model, inFlight!);
    }
  }, 240_000);
});
