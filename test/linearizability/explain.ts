import { describeState } from "./describe.js";
import type { Candidate, IllegalExplanation, IndexedOperation } from "./result.js";
import type { History, Model } from "./types.js";

/**
 * Turns a failed search into something a human can act on: the longest prefix it managed,
 * the operation real time forced next, and why each possible next operation failed.
 */
export function explainIllegal<S, I, O>(
  model: Model<S, I, O>,
  part: History<I, O>,
  original: (position: number) => IndexedOperation<I, O>,
  partition: number,
  longestPrefix: readonly number[],
  stateAfterPrefix: S,
): IllegalExplanation<I, O> {
  const inPrefix = new Uint8Array(part.length);
  for (const p of longestPrefix) inPrefix[p] = 1;

  let blocked = -1;
  for (let p = 0; p < part.length; p++) {
    if (inPrefix[p] === 1) continue;
    if (blocked < 0 || returnsEarlier(part, p, blocked)) blocked = p;
  }
  // A failed search stops at the return of an unlinearized operation, so one is left.
  if (blocked < 0) throw new Error("explainIllegal: the longest prefix covers the whole partition");
  const deadline = part[blocked]!.returnTime;

  const candidates: Candidate<I, O>[] = [];
  for (let p = 0; p < part.length; p++) {
    const op = part[p]!;
    // Same tie rule as the event order: a call at the deadline is still concurrent.
    if (inPrefix[p] === 1 || op.callTime > deadline) continue;
    const r = model.step(stateAfterPrefix, op.input, op.output);
    if (r.ok) candidates.push({ ...original(p), verdict: "dead-end" });
    else if (r.reason !== undefined)
      candidates.push({ ...original(p), verdict: "rejected", reason: r.reason });
    else candidates.push({ ...original(p), verdict: "rejected" });
  }

  return {
    partition,
    partitionSize: part.length,
    prefix: longestPrefix.map(original),
    stateAfterPrefix: describeState(model, stateAfterPrefix),
    blocked: original(blocked),
    candidates,
  };
}

function returnsEarlier(part: History<unknown, unknown>, a: number, b: number): boolean {
  const x = part[a]!;
  const y = part[b]!;
  if (x.returnTime !== y.returnTime) return x.returnTime < y.returnTime;
  return x.callTime < y.callTime;
}
