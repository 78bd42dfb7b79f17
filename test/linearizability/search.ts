import { EventList, isCall, operationOf } from "./event-list.js";
import { LinearizedSet } from "./linearized-set.js";
import { MemoCache } from "./memo-cache.js";
import type { History, Model } from "./types.js";
import { UNKNOWN } from "./types.js";

/**
 * The search for one partition: Wing & Gong's backtracking with Lowe's memoization of
 * (linearized set, state) configurations, the algorithm Porcupine implements.
 *
 * Walk the event list from the front. At a call, try to linearize that operation now: if the
 * model accepts it and the resulting configuration is new, lift it out, push it, and restart
 * from the front. At a return, the operation returning there was not linearized although
 * real time says it must precede everything after: undo the last choice and try the next
 * call after it. An empty stack at a return means no linearization exists.
 *
 * Success comes as soon as every operation with a known outcome is linearized, not when the
 * list is empty: the unknown-outcome ones left can all go last (their intervals are open and
 * the model must accept them in any state) or, equivalently, never.
 *
 * Known cost: each pending unknown-outcome write can be linearized early and then overwritten,
 * so proving a history illegal can take time exponential in the number of such writes that
 * are pending at once on one partition. The step budget turns that into "unknown".
 */

export type SearchOutcome<S> =
  | { readonly kind: "ok"; readonly steps: number }
  | { readonly kind: "budget-exhausted"; readonly steps: number }
  | {
      readonly kind: "illegal";
      readonly steps: number;
      /** Positions (in the partition) of the longest linearizable prefix found, in order. */
      readonly longestPrefix: readonly number[];
      /** The model state after that prefix. */
      readonly stateAfterPrefix: S;
    };

/**
 * Runs the search on `history`, giving up after `maxSteps` steps: one per event visited, plus
 * one per extra memo entry compared on a hash collision.
 */
export function searchLinearization<S, I, O>(
  model: Model<S, I, O>,
  history: History<I, O>,
  maxSteps: number,
): SearchOutcome<S> {
  const n = history.length;
  const events = new EventList(history);
  const optional = (i: number): boolean => history[i]!.output === UNKNOWN;
  const linearized = new LinearizedSet(n);
  // Operations with a known outcome not yet linearized; the search succeeds when none is left.
  let knownLeft = 0;
  for (let i = 0; i < n; i++) if (!optional(i)) knownLeft++;
  const cache = new MemoCache<S>((a, b) => model.equal(a, b));
  // The stack of choices: call events lifted so far and the state before each. Depth <= n.
  const stackCalls = new Int32Array(n);
  const stackStates = new Array<S>(n);
  let depth = 0;
  let state = model.init();
  let longestPrefix: number[] = [];
  let stateAfterLongest = state;

  let event = events.first();
  let steps = 0;
  while (knownLeft > 0) {
    // Memo comparisons count as steps too, so the budget bounds the time actually spent.
    if (steps + cache.comparisons >= maxSteps) return { kind: "budget-exhausted", steps: maxSteps };
    steps++;
    if (isCall(event)) {
      const i = operationOf(event);
      const op = history[i]!;
      const r = model.step(state, op.input, op.output);
      if (r.ok) {
        linearized.toggle(i);
        if (cache.addIfAbsent(linearized, r.newState, model.hash(r.newState))) {
          stackCalls[depth] = event;
          stackStates[depth] = state;
          depth++;
          state = r.newState;
          events.lift(event);
          if (!optional(i)) knownLeft--;
          if (depth > longestPrefix.length) {
            longestPrefix = Array.from(stackCalls.subarray(0, depth), operationOf);
            stateAfterLongest = state;
          }
          event = events.first();
          continue;
        }
        linearized.toggle(i);
      }
      event = events.next[event]!;
    } else {
      if (depth === 0) {
        const total = steps + cache.comparisons;
        return { kind: "illegal", steps: total, longestPrefix, stateAfterPrefix: stateAfterLongest };
      }
      depth--;
      const call = stackCalls[depth]!;
      const i = operationOf(call);
      state = stackStates[depth]!;
      linearized.toggle(i);
      if (!optional(i)) knownLeft++;
      events.unlift(call);
      event = events.next[call]!;
    }
  }
  return { kind: "ok", steps: steps + cache.comparisons };
}
