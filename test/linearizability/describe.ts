import type { Model, Operation } from "./types.js";
import { UNKNOWN } from "./types.js";

/** Renderings shared by explanations and reports, falling back to JSON without model help. */

export function describeOperation<S, I, O>(model: Model<S, I, O>, op: Operation<I, O>): string {
  if (model.describeOperation !== undefined) return model.describeOperation(op.input, op.output);
  const out = op.output === UNKNOWN ? "unknown" : JSON.stringify(op.output);
  return `${JSON.stringify(op.input)} -> ${out}`;
}

export function describeState<S, I, O>(model: Model<S, I, O>, state: S): string {
  if (model.describeState !== undefined) return model.describeState(state);
  return JSON.stringify(state) ?? String(state);
}

/** `#12 client 3 [40, 47] put("k", "v") -> rev 5`; an open interval prints as `[40, inf)`. */
export function describeIndexed<S, I, O>(model: Model<S, I, O>, index: number, op: Operation<I, O>): string {
  const interval =
    op.returnTime === Number.POSITIVE_INFINITY
      ? `[${op.callTime}, inf)`
      : `[${op.callTime}, ${op.returnTime}]`;
  return `#${index} client ${op.clientId} ${interval} ${describeOperation(model, op)}`;
}
