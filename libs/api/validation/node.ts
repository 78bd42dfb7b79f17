/** Node and Namespace rules: taints, capacity and allocatable quantities, conditions, namespace finalizers. */
import { duplicate, invalid, required } from "../field-error.js";
import { isRecord, type JsonRecord } from "../json.js";
import {
  child,
  type Errors,
  eachRecord,
  oneOf,
  optArray,
  optBoolean,
  optRecord,
  optString,
  validateLabelName,
  validateResourceList,
} from "./common.js";
import { isQualifiedName, isValidLabelValue } from "./names.js";
import { TAINT_EFFECTS } from "./pod.js";

const CONDITION_STATUSES = ["False", "True", "Unknown"] as const;

/** Node spec (unschedulable, taints) and status (capacity, allocatable, conditions). */
export function validateNode(obj: JsonRecord, errs: Errors): void {
  const spec = optRecord(obj, "spec", "spec", errs);
  if (spec !== undefined) {
    optBoolean(spec, "unschedulable", "spec.unschedulable", errs);
    const taints = optArray(spec, "taints", "spec.taints", errs);
    if (taints !== undefined) validateTaints(taints, "spec.taints", errs);
  }
  const status = optRecord(obj, "status", "status", errs);
  if (status !== undefined) validateNodeStatus(status, errs);
}

/** ValidateTaints: a qualified key, a label value, a known effect, no duplicate key+effect. */
function validateTaints(taints: readonly unknown[], path: string, errs: Errors): void {
  const seen = new Set<string>();
  eachRecord(taints, path, errs, (t, p) => {
    const k = optString(t, "key", child(p, "key"), errs) ?? "";
    validateLabelName(k, child(p, "key"), errs);
    const v = optString(t, "value", child(p, "value"), errs) ?? "";
    for (const m of isValidLabelValue(v)) errs.push(invalid(child(p, "value"), v, m));
    const effect = optString(t, "effect", child(p, "effect"), errs);
    oneOf(effect, TAINT_EFFECTS, child(p, "effect"), errs);
    const id = `${k}\u0000${effect ?? ""}`;
    if (seen.has(id)) errs.push(duplicate(p, t));
    seen.add(id);
  });
}

function validateNodeStatus(status: JsonRecord, errs: Errors): void {
  validateResourceList(status["capacity"], "status.capacity", errs);
  validateResourceList(status["allocatable"], "status.allocatable", errs);
  const conditions = optArray(status, "conditions", "status.conditions", errs) ?? [];
  validateConditions(conditions, "status.conditions", errs);
}

/** Conditions: a type (qualified name, unique) and a status of True, False or Unknown. */
export function validateConditions(conditions: readonly unknown[], path: string, errs: Errors): void {
  const types = new Set<string>();
  eachRecord(conditions, path, errs, (c, p) => {
    const type = optString(c, "type", child(p, "type"), errs) ?? "";
    if (type === "") errs.push(required(child(p, "type")));
    else {
      for (const m of isQualifiedName(type)) errs.push(invalid(child(p, "type"), type, m));
      if (types.has(type)) errs.push(duplicate(child(p, "type"), type));
      types.add(type);
    }
    oneOf(optString(c, "status", child(p, "status"), errs), CONDITION_STATUSES, child(p, "status"), errs);
  });
}

/** Namespace spec.finalizers are qualified names; status.phase is Active or Terminating. */
export function validateNamespace(obj: JsonRecord, errs: Errors): void {
  const spec = optRecord(obj, "spec", "spec", errs);
  const finalizers = spec === undefined ? undefined : optArray(spec, "finalizers", "spec.finalizers", errs);
  finalizers?.forEach((f, i) => {
    const p = `spec.finalizers[${i}]`;
    if (typeof f !== "string") errs.push(invalid(p, f, "must be a string"));
    else for (const m of isQualifiedName(f)) errs.push(invalid(p, f, m));
  });
  const status = isRecord(obj["status"]) ? obj["status"] : undefined;
  if (status !== undefined)
    oneOf(
      optString(status, "phase", "status.phase", errs),
      ["Active", "Terminating"],
      "status.phase",
      errs,
      false,
    );
}
