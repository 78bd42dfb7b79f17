/**
 * The entry points of validation: every rule for an object of a kind (metadata, then the
 * kind's spec and top-level fields), and the extra rules of an update.
 */
import { type FieldError, forbidden, invalid, required } from "../field-error.js";
import { deepEqual, isRecord, type JsonRecord } from "../json.js";
import type { KindInfo } from "../kinds.js";
import type { ApiObject } from "../types/meta.js";
import { validateConfigMap, validateConfigUpdate, validateSecret } from "./config.js";
import { validateEvent, validateLease } from "./lease-event.js";
import { validateObjectMeta, validateObjectMetaUpdate } from "./meta.js";
import { type NameValidator, nameIsDns1035Label, nameIsDnsLabel, nameIsDnsSubdomain } from "./names.js";
import { validateNamespace, validateNode } from "./node.js";
import { validatePodSpec, validatePodSpecUpdate, validatePodStatus } from "./pod.js";
import { validatePvcSpec } from "./pvc.js";
import { validateEndpoints, validateService, validateServiceUpdate } from "./service.js";
import {
  validateDeployment,
  validateReplicaSet,
  validateStatefulSet,
  validateWorkloadUpdate,
} from "./workloads.js";

/**
 * The name rule of each kind, as Kubernetes has it: Namespace names are RFC 1123 labels,
 * Service names RFC 1035 labels (they become DNS names and must start with a letter),
 * every other kind here RFC 1123 subdomains.
 */
export function nameValidatorFor(info: KindInfo): NameValidator {
  switch (info.kind) {
    case "Namespace":
      return nameIsDnsLabel;
    case "Service":
      return nameIsDns1035Label;
    default:
      return nameIsDnsSubdomain;
  }
}

/**
 * Every field error of `obj` as an object of kind `info` (names, labels, annotations,
 * required fields, ranges, enums, quantities, selectors matching template labels, ...).
 * Empty = valid. Run it after applyDefaults: fields that Kubernetes defaults (restartPolicy,
 * protocol, strategy, ...) are required here. Never throws, whatever the JSON inside.
 */
export function validateObject(obj: ApiObject, info: KindInfo): FieldError[] {
  const errs: FieldError[] = [];
  if (!isRecord(obj)) return [invalid("object", obj, "must be a JSON object")];
  if (obj.kind !== info.kind) errs.push(invalid("kind", obj.kind, `must be ${JSON.stringify(info.kind)}`));
  if (obj.apiVersion !== info.apiVersion)
    errs.push(invalid("apiVersion", obj.apiVersion, `must be ${JSON.stringify(info.apiVersion)}`));
  if (!isRecord(obj.metadata)) {
    errs.push(invalid("metadata", obj.metadata, "must be an object"));
    return errs;
  }
  validateObjectMeta(obj.metadata, info.namespaced, nameValidatorFor(info), errs);
  validateKind(obj as JsonRecord, info, errs);
  return errs;
}

type KindValidator = (o: JsonRecord, errs: FieldError[]) => void;

/** One validator per kind, beyond metadata. */
const KIND_VALIDATORS: Readonly<Record<string, KindValidator>> = {
  Pod: validatePod,
  ReplicaSet: validateReplicaSet,
  Deployment: validateDeployment,
  StatefulSet: validateStatefulSet,
  Service: validateService,
  Endpoints: validateEndpoints,
  ConfigMap: validateConfigMap,
  Secret: validateSecret,
  Lease: validateLease,
  Event: validateEvent,
  Node: validateNode,
  Namespace: validateNamespace,
  PersistentVolumeClaim: validatePvc,
};

function validateKind(o: JsonRecord, info: KindInfo, errs: FieldError[]): void {
  KIND_VALIDATORS[info.kind]?.(o, errs);
}

function validatePod(o: JsonRecord, errs: FieldError[]): void {
  const spec = o["spec"];
  if (!isRecord(spec))
    errs.push(spec === undefined ? required("spec") : invalid("spec", spec, "must be an object"));
  else validatePodSpec(spec, "spec", errs);
  if (isRecord(o["status"])) validatePodStatus(o["status"], errs);
}

function validatePvc(o: JsonRecord, errs: FieldError[]): void {
  const spec = o["spec"];
  if (!isRecord(spec))
    errs.push(spec === undefined ? required("spec") : invalid("spec", spec, "must be an object"));
  else validatePvcSpec(spec, "spec", errs);
}

/** Kubernetes' wording for the PVC update rule. */
const PVC_UPDATE_FORBIDDEN =
  "spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims";

/**
 * The extra rules of an update, on top of validateObject(next): identity metadata is
 * immutable (name, namespace, uid, creationTimestamp) and a deleting object takes no new
 * finalizers; workloads keep spec.selector; a Pod changes only images,
 * activeDeadlineSeconds, added tolerations, and nodeName once from unset (binding); a
 * StatefulSet only replicas, template, updateStrategy, ...; a Service keeps its clusterIP;
 * an immutable ConfigMap or Secret keeps its data; a PVC only its requests (and volumeName
 * once). Compare objects after applyDefaults on both.
 */
export function validateUpdate(next: ApiObject, prev: ApiObject, info: KindInfo): FieldError[] {
  const errs: FieldError[] = [];
  if (!isRecord(next) || !isRecord(prev) || !isRecord(next.metadata) || !isRecord(prev.metadata)) return errs;
  validateObjectMetaUpdate(next.metadata, prev.metadata, errs);
  const n = next as JsonRecord;
  const p = prev as JsonRecord;
  switch (info.kind) {
    case "Pod":
      validatePodSpecUpdate(n["spec"], p["spec"], errs);
      break;
    case "ReplicaSet":
    case "Deployment":
    case "StatefulSet":
      validateWorkloadUpdate(info.kind, n, p, errs);
      break;
    case "Service":
      validateServiceUpdate(n, p, errs);
      break;
    case "ConfigMap":
    case "Secret":
      validateConfigUpdate(n, p, errs);
      break;
    case "PersistentVolumeClaim":
      if (!deepEqual(pvcFixed(n["spec"], p["spec"]), pvcFixed(p["spec"], p["spec"])))
        errs.push(forbidden("spec", PVC_UPDATE_FORBIDDEN));
      break;
  }
  return errs;
}

/** A PVC spec without the fields an update may change. */
function pvcFixed(spec: unknown, prev: unknown): unknown {
  if (!isRecord(spec)) return spec;
  const out: JsonRecord = { ...spec };
  const res = isRecord(out["resources"]) ? { ...out["resources"] } : undefined;
  if (res !== undefined) {
    delete res["requests"];
    out["resources"] = res;
  }
  delete out["volumeAttributesClassName"];
  if (!isRecord(prev) || (prev["volumeName"] ?? "") === "") delete out["volumeName"];
  return out;
}
