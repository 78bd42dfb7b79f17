/**
 * apps/v1 rules (ValidateReplicaSetSpec, ValidateDeploymentSpec, ValidateStatefulSetSpec):
 * replicas >= 0, a non-empty selector that matches the template's labels, a template that
 * restarts Always, strategies; and what an update may not change.
 */
import { forbidden, invalid, notSupported, required } from "../field-error.js";
import { deepEqual, isRecord, type JsonRecord } from "../json.js";
import { labelSelectorFromObject } from "../selectors/label-selector.js";
import {
  child,
  type Errors,
  eachRecord,
  IMMUTABLE_ERROR,
  NEGATIVE_ERROR,
  nonNegative,
  optArray,
  optInteger,
  optRecord,
  optString,
  validateLabels,
} from "./common.js";
import { validateLabelSelectorObject } from "./label-selector-object.js";
import { validateAnnotations } from "./meta.js";
import { validatePodSpec } from "./pod.js";
import { validatePvcSpec } from "./pvc.js";

/** The rules shared by all three: replicas, selector, template. Returns the spec when it is an object. */
function validateWorkloadSpec(obj: JsonRecord, kindWord: string, errs: Errors): JsonRecord | undefined {
  const spec = obj["spec"];
  if (!isRecord(spec)) {
    errs.push(spec === undefined ? required("spec") : invalid("spec", spec, "must be an object"));
    return undefined;
  }
  nonNegative(optInteger(spec, "replicas", "spec.replicas", errs), "spec.replicas", errs);
  nonNegative(
    optInteger(spec, "minReadySeconds", "spec.minReadySeconds", errs),
    "spec.minReadySeconds",
    errs,
  );
  const selector = spec["selector"];
  if (selector === undefined || selector === null) {
    errs.push(required("spec.selector"));
    validateTemplate(spec, undefined, errs);
    return spec;
  }
  const before = errs.length;
  validateLabelSelectorObject(selector, "spec.selector", errs);
  if (errs.length > before || !isRecord(selector)) {
    validateTemplate(spec, undefined, errs);
    return spec;
  }
  const ml = isRecord(selector["matchLabels"]) ? Object.keys(selector["matchLabels"]).length : 0;
  const me = Array.isArray(selector["matchExpressions"]) ? selector["matchExpressions"].length : 0;
  if (ml + me === 0)
    errs.push(invalid("spec.selector", selector, `empty selector is invalid for ${kindWord}`));
  const parsed = labelSelectorFromObject(selector, "spec.selector");
  if (!parsed.ok) {
    errs.push(invalid("spec.selector", selector, "invalid label selector"));
    validateTemplate(spec, undefined, errs);
  } else {
    validateTemplate(spec, ml + me === 0 ? undefined : parsed.value, errs);
  }
  return spec;
}

/** ValidatePodTemplateSpecForReplicaSet. */
function validateTemplate(
  spec: JsonRecord,
  selector: { matches(l: Record<string, string>): boolean } | undefined,
  errs: Errors,
): void {
  const template = spec["template"];
  if (!isRecord(template)) {
    errs.push(
      template === undefined
        ? required("spec.template")
        : invalid("spec.template", template, "must be an object"),
    );
    return;
  }
  const meta = optRecord(template, "metadata", "spec.template.metadata", errs) ?? {};
  validateLabels(meta["labels"], "spec.template.metadata.labels", errs);
  validateAnnotations(meta["annotations"], "spec.template.metadata.annotations", errs);
  const labels = isRecord(meta["labels"]) ? (meta["labels"] as Record<string, string>) : {};
  if (selector !== undefined && !selector.matches(labels)) {
    errs.push(
      invalid("spec.template.metadata.labels", labels, "`selector` does not match template `labels`"),
    );
  }
  const podSpec = template["spec"];
  if (!isRecord(podSpec)) {
    errs.push(
      podSpec === undefined
        ? required("spec.template.spec")
        : invalid("spec.template.spec", podSpec, "must be an object"),
    );
    return;
  }
  validatePodSpec(podSpec, "spec.template.spec", errs);
  const rp = podSpec["restartPolicy"];
  if (typeof rp === "string" && rp !== "Always" && rp !== "")
    errs.push(notSupported("spec.template.spec.restartPolicy", rp, ["Always"]));
  if (podSpec["activeDeadlineSeconds"] !== undefined && podSpec["activeDeadlineSeconds"] !== null) {
    errs.push(
      forbidden(
        "spec.template.spec.activeDeadlineSeconds",
        "activeDeadlineSeconds in ReplicaSet is not Supported",
      ),
    );
  }
}

/** Status counters the controllers write (ValidateDeploymentStatus and friends): none negative. */
const STATUS_COUNTERS = [
  "observedGeneration",
  "replicas",
  "updatedReplicas",
  "readyReplicas",
  "availableReplicas",
  "unavailableReplicas",
  "fullyLabeledReplicas",
  "currentReplicas",
  "collisionCount",
];

function validateWorkloadStatus(obj: JsonRecord, errs: Errors): void {
  const status = obj["status"];
  if (!isRecord(status)) return;
  for (const f of STATUS_COUNTERS)
    nonNegative(optInteger(status, f, `status.${f}`, errs), `status.${f}`, errs);
}

/** ValidateReplicaSetSpec. */
export function validateReplicaSet(obj: JsonRecord, errs: Errors): void {
  validateWorkloadSpec(obj, "replicaset", errs);
  validateWorkloadStatus(obj, errs);
}

/** ValidateDeploymentSpec. */
export function validateDeployment(obj: JsonRecord, errs: Errors): void {
  const spec = validateWorkloadSpec(obj, "deployment", errs);
  validateWorkloadStatus(obj, errs);
  if (spec === undefined) return;
  nonNegative(
    optInteger(spec, "revisionHistoryLimit", "spec.revisionHistoryLimit", errs),
    "spec.revisionHistoryLimit",
    errs,
  );
  const pds = optInteger(spec, "progressDeadlineSeconds", "spec.progressDeadlineSeconds", errs);
  if (pds !== undefined) {
    nonNegative(pds, "spec.progressDeadlineSeconds", errs);
    const mrs = typeof spec["minReadySeconds"] === "number" ? spec["minReadySeconds"] : 0;
    if (pds <= mrs)
      errs.push(invalid("spec.progressDeadlineSeconds", pds, "must be greater than minReadySeconds"));
  }
  const strategy = optRecord(spec, "strategy", "spec.strategy", errs);
  if (strategy !== undefined) validateDeploymentStrategy(strategy, errs);
}

function validateDeploymentStrategy(strategy: JsonRecord, errs: Errors): void {
  const type = optString(strategy, "type", "spec.strategy.type", errs) ?? "";
  const ru = strategy["rollingUpdate"];
  switch (type) {
    case "Recreate":
      if (ru !== undefined && ru !== null) {
        errs.push(
          forbidden("spec.strategy.rollingUpdate", "may not be specified when strategy `type` is 'Recreate'"),
        );
      }
      break;
    case "RollingUpdate":
      if (!isRecord(ru))
        errs.push(required("spec.strategy.rollingUpdate", "this should be defaulted and never be nil"));
      else validateRollingUpdate(ru, errs);
      break;
    default:
      errs.push(notSupported("spec.strategy.type", type, ["Recreate", "RollingUpdate"]));
  }
}

const PERCENT_RE = /^[0-9]+%$/;

/** ValidatePositiveIntOrPercent; returns the integer or percentage value, or undefined when invalid. */
function intOrPercent(
  v: unknown,
  path: string,
  errs: Errors,
): { value: number; percent: boolean } | undefined {
  if (v === undefined || v === null) return { value: 0, percent: false };
  if (typeof v === "string") {
    if (!PERCENT_RE.test(v)) {
      errs.push(invalid(path, v, "must be an integer or percentage (e.g '5%')"));
      return undefined;
    }
    return { value: Number(v.slice(0, -1)), percent: true };
  }
  if (typeof v === "number" && Number.isInteger(v)) {
    if (v < 0) errs.push(invalid(path, v, NEGATIVE_ERROR));
    return { value: v, percent: false };
  }
  errs.push(invalid(path, v, "must be an integer or percentage (e.g '5%')"));
  return undefined;
}

function validateRollingUpdate(ru: JsonRecord, errs: Errors): void {
  const p = "spec.strategy.rollingUpdate";
  const unavailable = intOrPercent(ru["maxUnavailable"], child(p, "maxUnavailable"), errs);
  const surge = intOrPercent(ru["maxSurge"], child(p, "maxSurge"), errs);
  if (unavailable !== undefined && surge !== undefined && unavailable.value === 0 && surge.value === 0) {
    errs.push(
      invalid(child(p, "maxUnavailable"), ru["maxUnavailable"] ?? 0, "may not be 0 when `maxSurge` is 0"),
    );
  }
  if (unavailable?.percent === true && unavailable.value > 100) {
    errs.push(invalid(child(p, "maxUnavailable"), ru["maxUnavailable"], "must not be greater than 100%"));
  }
}

/** ValidateStatefulSetSpec. */
export function validateStatefulSet(obj: JsonRecord, errs: Errors): void {
  const spec = validateWorkloadSpec(obj, "statefulset", errs);
  validateWorkloadStatus(obj, errs);
  if (spec === undefined) return;
  nonNegative(
    optInteger(spec, "revisionHistoryLimit", "spec.revisionHistoryLimit", errs),
    "spec.revisionHistoryLimit",
    errs,
  );
  const pmp = optString(spec, "podManagementPolicy", "spec.podManagementPolicy", errs) ?? "";
  if (pmp === "") errs.push(required("spec.podManagementPolicy"));
  else if (pmp !== "OrderedReady" && pmp !== "Parallel") {
    errs.push(invalid("spec.podManagementPolicy", pmp, "must be 'OrderedReady' or 'Parallel'"));
  }
  const us = optRecord(spec, "updateStrategy", "spec.updateStrategy", errs);
  if (us !== undefined) {
    const type = us["type"];
    if (type !== "RollingUpdate" && type !== "OnDelete") {
      errs.push(invalid("spec.updateStrategy", us, "must be 'RollingUpdate' or 'OnDelete'"));
    }
    const ru = optRecord(us, "rollingUpdate", "spec.updateStrategy.rollingUpdate", errs);
    if (ru !== undefined) {
      const partition = optInteger(ru, "partition", "spec.updateStrategy.rollingUpdate.partition", errs);
      nonNegative(partition, "spec.updateStrategy.rollingUpdate.partition", errs);
    }
  }
  const templates = optArray(spec, "volumeClaimTemplates", "spec.volumeClaimTemplates", errs);
  if (templates !== undefined) {
    eachRecord(templates, "spec.volumeClaimTemplates", errs, (pvc, p) => {
      const s = optRecord(pvc, "spec", child(p, "spec"), errs);
      if (s !== undefined) validatePvcSpec(s, child(p, "spec"), errs);
    });
  }
}

/** StatefulSet fields an update may change; everything else in spec is fixed. */
const STATEFULSET_MUTABLE = [
  "replicas",
  "ordinals",
  "template",
  "updateStrategy",
  "persistentVolumeClaimRetentionPolicy",
  "minReadySeconds",
];

/** The apps/v1 update rules: spec.selector is immutable; a StatefulSet's spec mostly too. */
export function validateWorkloadUpdate(kind: string, next: JsonRecord, prev: JsonRecord, errs: Errors): void {
  const a = isRecord(next["spec"]) ? next["spec"] : {};
  const b = isRecord(prev["spec"]) ? prev["spec"] : {};
  if (!deepEqual(a["selector"], b["selector"]))
    errs.push(invalid("spec.selector", a["selector"] ?? null, IMMUTABLE_ERROR));
  if (kind !== "StatefulSet") return;
  const strip = (s: JsonRecord): JsonRecord =>
    Object.fromEntries(Object.entries(s).filter(([k]) => !STATEFULSET_MUTABLE.includes(k)));
  if (!deepEqual(strip(a), strip(b))) {
    errs.push(
      forbidden(
        "spec",
        "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
      ),
    );
  }
}
