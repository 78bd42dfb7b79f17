import type { SimRng } from "../sim-rng.js";
import { AsymmetricPartition } from "./asymmetric-partition.js";
import { ClockSkew } from "./clock-skew.js";
import { Crash } from "./crash.js";
import { CrashMidReady } from "./crash-mid-ready.js";
import { FAULT_NAMES, type Fault, type FaultName } from "./fault.js";
import { IsolateLeader } from "./isolate-leader.js";
import { MessageDelay } from "./message-delay.js";
import { MessageDuplicate } from "./message-duplicate.js";
import { MessageLoss } from "./message-loss.js";
import { Partition } from "./partition.js";
import { Pause } from "./pause.js";

export { FAULT_NAMES, type Fault, type FaultContext, type FaultName, isFaultName } from "./fault.js";

/** One factory per fault class; `intensity` in [0.5, 2] scales how often episodes start. */
const FACTORIES: Record<FaultName, (intensity: number) => Fault> = {
  "message-loss": (k) => new MessageLoss(k / 300),
  "message-delay": (k) => new MessageDelay(k / 300),
  "message-duplicate": (k) => new MessageDuplicate(k / 300),
  partition: (k) => new Partition(k / 400),
  "asymmetric-partition": (k) => new AsymmetricPartition(k / 400),
  "isolate-leader": (k) => new IsolateLeader(k / 400),
  crash: (k) => new Crash(k / 400),
  "crash-mid-ready": (k) => new CrashMidReady(k / 500),
  pause: (k) => new Pause(k / 400),
  "clock-skew": (k) => new ClockSkew(k / 400),
};

/** The fault classes enabled for a run: each with probability 1/2 unless named explicitly. */
export function chooseFaults(rng: SimRng, only?: readonly FaultName[]): FaultName[] {
  const picked: FaultName[] = [];
  for (const name of FAULT_NAMES) {
    const on = rng.chance(0.5);
    if (only === undefined ? on : only.includes(name)) picked.push(name);
  }
  return picked;
}

export function makeFaults(names: readonly FaultName[], rng: SimRng): Fault[] {
  return names.map((name) => FACTORIES[name](0.5 + rng.next() * 1.5));
}
