/**
 * Kubernetes' defaulting (the v1 defaults.go of each API group) for the fields the emulator reads, so
 * a stored object looks like the one a real API server would store.
 */

import { base64FromUtf8 } from "./base64.js";
import { cloneJson, isRecord, type JsonRecord } from "./json.js";
import type { KindInfo } from "./kinds.js";
import type { ApiObject } from "./types/meta.js";

/** The namespace of namespaced objects that name none. */
export const DEFAULT_NAMESPACE = "default";
/** Pods name this scheduler unless they choose another. */
export const DEFAULT_SCHEDULER_NAME = "default-scheduler";

/** Sets `obj[k] = v` when `obj[k]` is absent (undefined or null). */
function dflt(obj: JsonRecord, k: string, v: unknown): void {
  if (obj[k] === undefined || obj[k] === null) obj[k] = v;
}

/** The record at obj[k], created when absent; undefined when present but not an object. */
function ensure(obj: JsonRecord, k: string): JsonRecord | undefined {
  dflt(obj, k, {});
  const v = obj[k];
  return isRecord(v) ? v : undefined;
}

function eachRecordIn(v: unknown, fn: (r: JsonRecord) => void): void {
  if (Array.isArray(v)) for (const x of v) if (isRecord(x)) fn(x);
}

/**
 * Returns a new object with Kubernetes defaults: namespace "default" for namespaced kinds;
 * Pod restartPolicy Always, dnsPolicy ClusterFirst, terminationGracePeriodSeconds 30,
 * schedulerName, container imagePullPolicy (Always for ":latest" or untagged images, else
 * IfNotPresent), port protocol TCP, requests from limits; workloads replicas 1,
 * revisionHistoryLimit 10, Deployment strategy RollingUpdate 25%/25% and
 * progressDeadlineSeconds 600, StatefulSet OrderedReady/RollingUpdate; Service type
 * ClusterIP, sessionAffinity None, protocol TCP, targetPort = port; Secret type Opaque and
 * stringData merged into data; Node allocatable = capacity; PVC volumeMode Filesystem.
 * Never mutates its input; fields of the wrong type are left for validation to report.
 */
export function applyDefaults(obj: ApiObject, info: KindInfo): ApiObject {
  const out = cloneJson(obj);
  if (!isRecord(out.metadata)) return out;
  if (info.namespaced && (out.metadata.namespace === undefined || out.metadata.namespace === "")) {
    out.metadata.namespace = DEFAULT_NAMESPACE;
  }
  const o = out as JsonRecord;
  switch (info.kind) {
    case "Pod": {
      const spec = ensure(o, "spec");
      if (spec !== undefined) defaultPodSpec(spec);
      break;
    }
    case "ReplicaSet":
      defaultWorkload(o, false);
      break;
    case "Deployment":
      defaultDeployment(o);
      break;
    case "StatefulSet":
      defaultStatefulSet(o);
      break;
    case "Service":
      defaultService(o);
      break;
    case "Endpoints":
      eachRecordIn(o["subsets"], (s) => eachRecordIn(s["ports"], (p) => dflt(p, "protocol", "TCP")));
      break;
    case "Secret":
      defaultSecret(o);
      break;
    case "Node": {
      const status = isRecord(o["status"]) ? o["status"] : undefined;
      if (status !== undefined) quantitiesAsStrings(status, "capacity", "allocatable");
      if (status !== undefined && isRecord(status["capacity"]))
        dflt(status, "allocatable", cloneJson(status["capacity"]));
      break;
    }
    case "Namespace": {
      const spec = ensure(o, "spec");
      if (spec !== undefined) dflt(spec, "finalizers", ["kubernetes"]);
      break;
    }
    case "PersistentVolumeClaim": {
      const spec = ensure(o, "spec");
      if (spec !== undefined) dflt(spec, "volumeMode", "Filesystem");
      if (spec !== undefined && isRecord(spec["resources"]))
        quantitiesAsStrings(spec["resources"], "limits", "requests");
      break;
    }
  }
  return out;
}

/** SetDefaults_PodSpec and SetDefaults_Container. */
export function defaultPodSpec(spec: JsonRecord): void {
  dflt(spec, "restartPolicy", "Always");
  dflt(spec, "dnsPolicy", "ClusterFirst");
  dflt(spec, "terminationGracePeriodSeconds", 30);
  dflt(spec, "schedulerName", "default-scheduler");
  dflt(spec, "securityContext", {});
  dflt(spec, "enableServiceLinks", true);
  eachRecordIn(spec["containers"], defaultContainer);
  eachRecordIn(spec["initContainers"], defaultContainer);
  eachRecordIn(spec["tolerations"], (t) => {
    if (t["operator"] === undefined && t["key"] !== undefined && t["key"] !== "") t["operator"] = "Equal";
  });
}

function defaultContainer(c: JsonRecord): void {
  if (c["imagePullPolicy"] === undefined || c["imagePullPolicy"] === "") {
    const image = typeof c["image"] === "string" ? c["image"] : "";
    c["imagePullPolicy"] = imageTag(image) === "latest" || imageTag(image) === "" ? "Always" : "IfNotPresent";
  }
  dflt(c, "terminationMessagePath", "/dev/termination-log");
  dflt(c, "terminationMessagePolicy", "File");
  eachRecordIn(c["ports"], (p) => dflt(p, "protocol", "TCP"));
  const res = isRecord(c["resources"]) ? c["resources"] : undefined;
  if (res !== undefined) quantitiesAsStrings(res, "limits", "requests");
  if (res !== undefined && isRecord(res["limits"])) {
    const requests = ensure(res, "requests");
    if (requests !== undefined) for (const [k, v] of Object.entries(res["limits"])) dflt(requests, k, v);
  }
}

/**
 * Quantities written as JSON numbers (`cpu: 2`, which Kubernetes accepts) become strings
 * ("2"), as Kubernetes serializes every Quantity, so readers can rely on ResourceList.
 */
function quantitiesAsStrings(parent: JsonRecord, ...lists: string[]): void {
  for (const name of lists) {
    const list = parent[name];
    if (!isRecord(list)) continue;
    for (const [k, v] of Object.entries(list))
      if (typeof v === "number" && Number.isFinite(v)) list[k] = String(v);
  }
}

/** The tag of an image reference ("" when untagged; a digest counts as a tag). */
function imageTag(image: string): string {
  if (image.includes("@")) return "digest";
  const slash = image.lastIndexOf("/");
  const colon = image.lastIndexOf(":");
  return colon > slash ? image.slice(colon + 1) : "";
}

function defaultTemplate(spec: JsonRecord): void {
  const template = ensure(spec, "template");
  if (template === undefined) return;
  const podSpec = ensure(template, "spec");
  if (podSpec !== undefined) defaultPodSpec(podSpec);
}

function defaultWorkload(o: JsonRecord, history: boolean): JsonRecord | undefined {
  const spec = ensure(o, "spec");
  if (spec === undefined) return undefined;
  dflt(spec, "replicas", 1);
  if (history) dflt(spec, "revisionHistoryLimit", 10);
  defaultTemplate(spec);
  return spec;
}

function defaultDeployment(o: JsonRecord): void {
  const spec = defaultWorkload(o, true);
  if (spec === undefined) return;
  dflt(spec, "progressDeadlineSeconds", 600);
  const strategy = ensure(spec, "strategy");
  if (strategy === undefined) return;
  dflt(strategy, "type", "RollingUpdate");
  if (strategy["type"] === "RollingUpdate") {
    const ru = ensure(strategy, "rollingUpdate");
    if (ru !== undefined) {
      dflt(ru, "maxUnavailable", "25%");
      dflt(ru, "maxSurge", "25%");
    }
  }
}

function defaultStatefulSet(o: JsonRecord): void {
  const spec = defaultWorkload(o, true);
  if (spec === undefined) return;
  dflt(spec, "podManagementPolicy", "OrderedReady");
  const strategy = ensure(spec, "updateStrategy");
  if (strategy !== undefined) {
    dflt(strategy, "type", "RollingUpdate");
    if (strategy["type"] === "RollingUpdate") {
      const ru = ensure(strategy, "rollingUpdate");
      if (ru !== undefined) dflt(ru, "partition", 0);
    }
  }
  const retention = ensure(spec, "persistentVolumeClaimRetentionPolicy");
  if (retention !== undefined) {
    dflt(retention, "whenDeleted", "Retain");
    dflt(retention, "whenScaled", "Retain");
  }
  eachRecordIn(spec["volumeClaimTemplates"], (pvc) => {
    const s = ensure(pvc, "spec");
    if (s !== undefined) dflt(s, "volumeMode", "Filesystem");
  });
}

function defaultService(o: JsonRecord): void {
  const spec = ensure(o, "spec");
  if (spec === undefined) return;
  dflt(spec, "type", "ClusterIP");
  dflt(spec, "sessionAffinity", "None");
  const type = spec["type"];
  if (type === "ClusterIP" || type === "NodePort" || type === "LoadBalancer")
    dflt(spec, "internalTrafficPolicy", "Cluster");
  if (type === "NodePort" || type === "LoadBalancer") dflt(spec, "externalTrafficPolicy", "Cluster");
  eachRecordIn(spec["ports"], (p) => {
    dflt(p, "protocol", "TCP");
    if (p["targetPort"] === undefined || p["targetPort"] === 0 || p["targetPort"] === "")
      p["targetPort"] = p["port"];
  });
}

function defaultSecret(o: JsonRecord): void {
  dflt(o, "type", "Opaque");
  const stringData = o["stringData"];
  if (!isRecord(stringData)) return;
  const data = ensure(o, "data");
  if (data === undefined) return;
  for (const [k, v] of Object.entries(stringData)) if (typeof v === "string") data[k] = base64FromUtf8(v);
  delete o["stringData"];
}
