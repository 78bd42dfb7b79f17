/**
 * Pod spec rules from Kubernetes' ValidatePodSpec, for the fields the emulator uses:
 * containers (name, image, ports, resources), restartPolicy, dnsPolicy, nodeName,
 * nodeSelector, tolerations, deadlines; and the Pod update rule.
 */
import { duplicate, forbidden, invalid, notSupported, required } from "../field-error.js";
import { deepEqual, isRecord, type JsonRecord } from "../json.js";
import {
  child,
  type Errors,
  eachRecord,
  key,
  nonNegative,
  oneOf,
  optArray,
  optInteger,
  optRecord,
  optString,
  validateLabelName,
  validateLabels,
  validateResourceList,
} from "./common.js";
import {
  inclusiveRangeError,
  isDns1123Label,
  isDns1123Subdomain,
  isEnvVarName,
  isValidLabelValue,
  isValidPortName,
  isValidPortNum,
} from "./names.js";
import { compareQuantities } from "./quantity.js";

export const RESTART_POLICIES = ["Always", "OnFailure", "Never"] as const;
export const DNS_POLICIES = ["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"] as const;
export const PULL_POLICIES = ["Always", "IfNotPresent", "Never"] as const;
/** sets.List() order, as Kubernetes prints them. */
export const PROTOCOLS = ["SCTP", "TCP", "UDP"] as const;
export const TAINT_EFFECTS = ["NoSchedule", "PreferNoSchedule", "NoExecute"] as const;
export const POD_PHASES = ["Pending", "Running", "Succeeded", "Failed", "Unknown"] as const;
const INT32_MAX = 2147483647;

/** ValidatePodSpec for the fields the emulator reads; `path` is e.g. "spec" or "spec.template.spec". */
export function validatePodSpec(spec: JsonRecord, path: string, errs: Errors): void {
  const containersPath = child(path, "containers");
  const containers = optArray(spec, "containers", containersPath, errs);
  if (containers === undefined || containers.length === 0) {
    if (!errs.some((e) => e.field === containersPath)) errs.push(required(containersPath));
  }
  const names = new Set<string>();
  const initContainers = optArray(spec, "initContainers", child(path, "initContainers"), errs) ?? [];
  validateContainers(initContainers, child(path, "initContainers"), names, errs);
  validateContainers(containers ?? [], containersPath, names, errs);
  oneOf(
    optString(spec, "restartPolicy", child(path, "restartPolicy"), errs),
    RESTART_POLICIES,
    child(path, "restartPolicy"),
    errs,
  );
  oneOf(
    optString(spec, "dnsPolicy", child(path, "dnsPolicy"), errs),
    DNS_POLICIES,
    child(path, "dnsPolicy"),
    errs,
  );
  const nodeName = optString(spec, "nodeName", child(path, "nodeName"), errs);
  if (nodeName !== undefined && nodeName.length > 0) {
    for (const m of isDns1123Subdomain(nodeName)) errs.push(invalid(child(path, "nodeName"), nodeName, m));
  }
  const scheduler = optString(spec, "schedulerName", child(path, "schedulerName"), errs);
  if (scheduler !== undefined && scheduler.length > 0) {
    for (const m of isDns1123Subdomain(scheduler))
      errs.push(invalid(child(path, "schedulerName"), scheduler, m));
  }
  validateLabels(spec["nodeSelector"], child(path, "nodeSelector"), errs);
  nonNegative(
    optInteger(spec, "terminationGracePeriodSeconds", child(path, "terminationGracePeriodSeconds"), errs),
    child(path, "terminationGracePeriodSeconds"),
    errs,
  );
  const deadline = optInteger(spec, "activeDeadlineSeconds", child(path, "activeDeadlineSeconds"), errs);
  if (deadline !== undefined && (deadline < 1 || deadline > INT32_MAX)) {
    errs.push(invalid(child(path, "activeDeadlineSeconds"), deadline, inclusiveRangeError(1, INT32_MAX)));
  }
  for (const f of ["hostname", "subdomain"]) {
    const v = optString(spec, f, child(path, f), errs);
    if (v !== undefined && v !== "")
      for (const m of isDns1123Label(v)) errs.push(invalid(child(path, f), v, m));
  }
  const account = optString(spec, "serviceAccountName", child(path, "serviceAccountName"), errs);
  if (account !== undefined && account !== "") {
    for (const m of isDns1123Subdomain(account))
      errs.push(invalid(child(path, "serviceAccountName"), account, m));
  }
  optInteger(spec, "priority", child(path, "priority"), errs);
  const tolerations = optArray(spec, "tolerations", child(path, "tolerations"), errs);
  if (tolerations !== undefined) validateTolerations(tolerations, child(path, "tolerations"), errs);
}

function validateContainers(items: readonly unknown[], path: string, names: Set<string>, errs: Errors): void {
  eachRecord(items, path, errs, (c, p) => {
    const namePath = child(p, "name");
    const name = optString(c, "name", namePath, errs) ?? "";
    if (name.length === 0) errs.push(required(namePath));
    else {
      for (const m of isDns1123Label(name)) errs.push(invalid(namePath, name, m));
      if (names.has(name)) errs.push(duplicate(namePath, name));
      names.add(name);
    }
    const image = optString(c, "image", child(p, "image"), errs);
    if (image === undefined || image.length === 0) errs.push(required(child(p, "image")));
    else if (image.trim() !== image)
      errs.push(invalid(child(p, "image"), image, "must not have leading or trailing whitespace"));
    oneOf(
      optString(c, "imagePullPolicy", child(p, "imagePullPolicy"), errs),
      PULL_POLICIES,
      child(p, "imagePullPolicy"),
      errs,
      false,
    );
    const ports = optArray(c, "ports", child(p, "ports"), errs);
    if (ports !== undefined) validateContainerPorts(ports, child(p, "ports"), errs);
    validateEnv(c, child(p, "env"), errs);
    for (const f of ["command", "args"]) validateStrings(c, f, child(p, f), errs);
    const resources = optRecord(c, "resources", child(p, "resources"), errs);
    if (resources !== undefined) validateResources(resources, child(p, "resources"), errs);
  });
}

/** Container env: each entry a valid name; values are strings. */
function validateEnv(c: JsonRecord, path: string, errs: Errors): void {
  const env = optArray(c, "env", path, errs);
  if (env === undefined) return;
  eachRecord(env, path, errs, (e, p) => {
    const name = optString(e, "name", child(p, "name"), errs) ?? "";
    if (name === "") errs.push(required(child(p, "name")));
    else for (const m of isEnvVarName(name)) errs.push(invalid(child(p, "name"), name, m));
    optString(e, "value", child(p, "value"), errs);
  });
}

/** An optional array of strings (command, args). */
function validateStrings(parent: JsonRecord, name: string, path: string, errs: Errors): void {
  const items = optArray(parent, name, path, errs);
  items?.forEach((x, i) => {
    if (typeof x !== "string") errs.push(invalid(`${path}[${i}]`, x, "must be a string"));
  });
}

function validateContainerPorts(ports: readonly unknown[], path: string, errs: Errors): void {
  const names = new Set<string>();
  eachRecord(ports, path, errs, (port, p) => {
    const name = optString(port, "name", child(p, "name"), errs);
    if (name !== undefined && name.length > 0) {
      for (const m of isValidPortName(name)) errs.push(invalid(child(p, "name"), name, m));
      if (names.has(name)) errs.push(duplicate(child(p, "name"), name));
      names.add(name);
    }
    const cp = optInteger(port, "containerPort", child(p, "containerPort"), errs);
    if (cp === undefined || cp === 0) {
      if (port["containerPort"] === undefined || cp === 0) errs.push(required(child(p, "containerPort")));
    } else for (const m of isValidPortNum(cp)) errs.push(invalid(child(p, "containerPort"), cp, m));
    const hp = optInteger(port, "hostPort", child(p, "hostPort"), errs);
    if (hp !== undefined && hp !== 0)
      for (const m of isValidPortNum(hp)) errs.push(invalid(child(p, "hostPort"), hp, m));
    oneOf(optString(port, "protocol", child(p, "protocol"), errs), PROTOCOLS, child(p, "protocol"), errs);
  });
}

/** ValidateResourceRequirements: quantities, and each request at most its limit. */
export function validateResources(res: JsonRecord, path: string, errs: Errors): void {
  const limitsPath = child(path, "limits");
  const requestsPath = child(path, "requests");
  validateResourceList(res["limits"], limitsPath, errs);
  validateResourceList(res["requests"], requestsPath, errs);
  const limits = isRecord(res["limits"]) ? res["limits"] : {};
  const requests = isRecord(res["requests"]) ? res["requests"] : {};
  for (const [name, req] of Object.entries(requests)) {
    const limit = limits[name];
    if (typeof req !== "string" || typeof limit !== "string") continue;
    const cmp = compareQuantities(req, limit);
    if (cmp !== undefined && cmp > 0) {
      errs.push(
        invalid(key(requestsPath, name), req, `must be less than or equal to ${name} limit of ${limit}`),
      );
    }
  }
}

/** ValidateTolerations. */
export function validateTolerations(items: readonly unknown[], path: string, errs: Errors): void {
  eachRecord(items, path, errs, (t, p) => {
    const k = optString(t, "key", child(p, "key"), errs) ?? "";
    const op = optString(t, "operator", child(p, "operator"), errs) ?? "";
    const value = optString(t, "value", child(p, "value"), errs) ?? "";
    const effect = optString(t, "effect", child(p, "effect"), errs) ?? "";
    if (k.length > 0) validateLabelName(k, child(p, "key"), errs);
    if (k.length === 0 && op !== "Exists") {
      errs.push(
        invalid(
          child(p, "operator"),
          op,
          'operator must be Exists when `key` is empty, which means "match all values and all keys"',
        ),
      );
    }
    const seconds = optInteger(t, "tolerationSeconds", child(p, "tolerationSeconds"), errs);
    if (seconds !== undefined && effect !== "NoExecute") {
      errs.push(
        invalid(child(p, "effect"), effect, "effect must be 'NoExecute' when `tolerationSeconds` is set"),
      );
    }
    switch (op) {
      case "Equal":
      case "": {
        const msgs = isValidLabelValue(value);
        if (msgs.length > 0) errs.push(invalid(child(p, "operator"), value, msgs.join(";")));
        break;
      }
      case "Exists":
        if (value.length > 0)
          errs.push(invalid(child(p, "operator"), t, "value must be empty when `operator` is 'Exists'"));
        break;
      default:
        errs.push(notSupported(child(p, "operator"), op, ["Equal", "Exists"]));
    }
    if (effect.length > 0 && !(TAINT_EFFECTS as readonly string[]).includes(effect)) {
      errs.push(notSupported(child(p, "effect"), effect, TAINT_EFFECTS));
    }
  });
}

/** The few status fields the emulator relies on: phase is one of Kubernetes' phases. */
export function validatePodStatus(status: JsonRecord, errs: Errors): void {
  oneOf(optString(status, "phase", "status.phase", errs), POD_PHASES, "status.phase", errs, false);
}

/** Kubernetes' wording for the Pod update rule. */
export const POD_UPDATE_FORBIDDEN =
  "pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)";

/**
 * ValidatePodUpdate: only images, activeDeadlineSeconds and added tolerations may change.
 * Setting spec.nodeName on an unbound pod is allowed too: Flotilla has no binding
 * subresource, so the scheduler binds by writing spec.nodeName once.
 */
export function validatePodSpecUpdate(next: unknown, prev: unknown, errs: Errors): void {
  if (!isRecord(next) || !isRecord(prev)) return;
  const masked = maskMutable(next, prev);
  if (!deepEqual(masked, prev)) errs.push(forbidden("spec", POD_UPDATE_FORBIDDEN));
  const before = Array.isArray(prev["tolerations"]) ? prev["tolerations"] : [];
  const after = Array.isArray(next["tolerations"]) ? next["tolerations"] : [];
  if (!before.every((t) => after.some((u) => deepEqual(t, u))))
    errs.push(forbidden("spec", POD_UPDATE_FORBIDDEN));
}

/** `next` with every field it may change replaced by `prev`'s value. */
function maskMutable(next: JsonRecord, prev: JsonRecord): JsonRecord {
  const out: JsonRecord = { ...next };
  for (const f of ["activeDeadlineSeconds", "tolerations", "terminationGracePeriodSeconds"])
    copyField(out, prev, f);
  if ((prev["nodeName"] ?? "") === "") copyField(out, prev, "nodeName");
  for (const f of ["containers", "initContainers"]) {
    const a = next[f];
    const b = prev[f];
    if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
      out[f] = a.map((c, i) =>
        isRecord(c) && isRecord(b[i]) ? withField({ ...c }, b[i] as JsonRecord, "image") : c,
      );
    }
  }
  return out;
}

function copyField(out: JsonRecord, from: JsonRecord, f: string): void {
  if (Object.hasOwn(from, f)) out[f] = from[f];
  else delete out[f];
}

function withField(out: JsonRecord, from: JsonRecord, f: string): JsonRecord {
  copyField(out, from, f);
  return out;
}
