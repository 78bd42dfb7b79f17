/** Service and Endpoints rules (ValidateService, ValidateEndpoints) for the fields the emulator uses. */
import { duplicate, forbidden, invalid, required } from "../field-error.js";
import { isRecord, type JsonRecord } from "../json.js";
import {
  child,
  type Errors,
  eachRecord,
  IMMUTABLE_ERROR,
  oneOf,
  optArray,
  optInteger,
  optString,
  validateLabels,
} from "./common.js";
import { isDns1123Label, isDns1123Subdomain, isValidPortName, isValidPortNum } from "./names.js";
import { PROTOCOLS } from "./pod.js";

/** sets.List() order, as Kubernetes prints them. */
export const SERVICE_TYPES = ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"] as const;

/** ValidateService: type, ports (names, numbers, protocols, targetPort), selector, sessionAffinity. */
export function validateService(obj: JsonRecord, errs: Errors): void {
  const spec = obj["spec"];
  if (!isRecord(spec)) {
    errs.push(spec === undefined ? required("spec") : invalid("spec", spec, "must be an object"));
    return;
  }
  const type = optString(spec, "type", "spec.type", errs);
  oneOf(type, SERVICE_TYPES, "spec.type", errs);
  oneOf(
    optString(spec, "sessionAffinity", "spec.sessionAffinity", errs),
    ["ClientIP", "None"],
    "spec.sessionAffinity",
    errs,
    false,
  );
  validateLabels(spec["selector"], "spec.selector", errs);
  const ports = optArray(spec, "ports", "spec.ports", errs) ?? [];
  const headless = spec["clusterIP"] === "None";
  if (ports.length === 0 && type !== "ExternalName" && !headless) errs.push(required("spec.ports"));
  const names = new Set<string>();
  const keys = new Set<string>();
  eachRecord(ports, "spec.ports", errs, (port, p) => {
    const name = optString(port, "name", child(p, "name"), errs) ?? "";
    if (ports.length > 1 && name === "") errs.push(required(child(p, "name")));
    else if (name !== "") for (const m of isDns1123Label(name)) errs.push(invalid(child(p, "name"), name, m));
    if (name !== "") {
      if (names.has(name)) errs.push(duplicate(child(p, "name"), name));
      names.add(name);
    }
    const num = optInteger(port, "port", child(p, "port"), errs);
    if (num === undefined) {
      if (port["port"] === undefined) errs.push(required(child(p, "port")));
    } else for (const m of isValidPortNum(num)) errs.push(invalid(child(p, "port"), num, m));
    const protocol = optString(port, "protocol", child(p, "protocol"), errs);
    oneOf(protocol, PROTOCOLS, child(p, "protocol"), errs);
    const target = port["targetPort"];
    if (typeof target === "number") {
      for (const m of isValidPortNum(target)) errs.push(invalid(child(p, "targetPort"), target, m));
    } else if (typeof target === "string") {
      for (const m of isValidPortName(target)) errs.push(invalid(child(p, "targetPort"), target, m));
    } else if (target !== undefined && target !== null) {
      errs.push(invalid(child(p, "targetPort"), target, "must be an integer or a port name"));
    }
    const nodePort = optInteger(port, "nodePort", child(p, "nodePort"), errs);
    if (nodePort !== undefined && nodePort !== 0) {
      if (type === "ClusterIP")
        errs.push(forbidden(child(p, "nodePort"), "may not be used when `type` is 'ClusterIP'"));
      else for (const m of isValidPortNum(nodePort)) errs.push(invalid(child(p, "nodePort"), nodePort, m));
    }
    const k = `${String(num)}/${protocol ?? ""}`;
    if (num !== undefined && keys.has(k)) errs.push(duplicate(p, { port: num, protocol: protocol ?? "" }));
    keys.add(k);
  });
  if (type === "ExternalName") {
    const name = optString(spec, "externalName", "spec.externalName", errs) ?? "";
    if (name === "") errs.push(required("spec.externalName"));
    else for (const m of isDns1123Subdomain(name)) errs.push(invalid("spec.externalName", name, m));
  }
}

/** ValidateServiceUpdate: a cluster IP, once set, stays. */
export function validateServiceUpdate(next: JsonRecord, prev: JsonRecord, errs: Errors): void {
  const a = isRecord(next["spec"]) ? next["spec"]["clusterIP"] : undefined;
  const b = isRecord(prev["spec"]) ? prev["spec"]["clusterIP"] : undefined;
  if (b !== undefined && b !== "" && a !== undefined && a !== "" && a !== b)
    errs.push(invalid("spec.clusterIP", a, IMMUTABLE_ERROR));
}

/** ValidateEndpoints: every address has an ip, every port a valid number and protocol. */
export function validateEndpoints(obj: JsonRecord, errs: Errors): void {
  const subsets = optArray(obj, "subsets", "subsets", errs) ?? [];
  eachRecord(subsets, "subsets", errs, (s, p) => {
    for (const field of ["addresses", "notReadyAddresses"]) {
      const addrs = optArray(s, field, child(p, field), errs) ?? [];
      eachRecord(addrs, child(p, field), errs, (a, ap) => {
        const ip = optString(a, "ip", child(ap, "ip"), errs) ?? "";
        if (ip === "") errs.push(required(child(ap, "ip")));
        const node = optString(a, "nodeName", child(ap, "nodeName"), errs);
        if (node !== undefined && node !== "")
          for (const m of isDns1123Subdomain(node)) errs.push(invalid(child(ap, "nodeName"), node, m));
      });
    }
    const ports = optArray(s, "ports", child(p, "ports"), errs) ?? [];
    eachRecord(ports, child(p, "ports"), errs, (port, pp) => {
      const num = optInteger(port, "port", child(pp, "port"), errs);
      if (num !== undefined)
        for (const m of isValidPortNum(num)) errs.push(invalid(child(pp, "port"), num, m));
      oneOf(optString(port, "protocol", child(pp, "protocol"), errs), PROTOCOLS, child(pp, "protocol"), errs);
    });
  });
}
