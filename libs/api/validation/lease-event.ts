/** Lease (coordination.k8s.io/v1) and Event (v1) rules. */
import { invalid, required } from "../field-error.js";
import { isRecord, type JsonRecord } from "../json.js";
import { child, type Errors, optInteger, optRecord, optString } from "./common.js";

const MICRO_TIME_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/** True for an RFC 3339 timestamp, fractional seconds optional (MicroTime writes 6 digits). */
export function isRfc3339(text: string): boolean {
  if (!MICRO_TIME_RE.test(text)) return false;
  const month = Number(text.slice(5, 7));
  const day = Number(text.slice(8, 10));
  const hour = Number(text.slice(11, 13));
  const minute = Number(text.slice(14, 16));
  const second = Number(text.slice(17, 19));
  return month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour <= 23 && minute <= 59 && second <= 60;
}

const MICRO_TIME_ERROR =
  "must be an RFC 3339 timestamp with microseconds (e.g. '2006-01-02T15:04:05.000000Z')";

function timeField(parent: JsonRecord, name: string, path: string, errs: Errors): void {
  const v = optString(parent, name, path, errs);
  if (v !== undefined && !isRfc3339(v)) errs.push(invalid(path, v, MICRO_TIME_ERROR));
}

/** ValidateLeaseSpec: leaseDurationSeconds > 0, leaseTransitions >= 0, times in MicroTime format. */
export function validateLease(obj: JsonRecord, errs: Errors): void {
  const spec = optRecord(obj, "spec", "spec", errs);
  if (spec === undefined) return;
  optString(spec, "holderIdentity", "spec.holderIdentity", errs);
  const duration = optInteger(spec, "leaseDurationSeconds", "spec.leaseDurationSeconds", errs);
  if (duration !== undefined && duration <= 0)
    errs.push(invalid("spec.leaseDurationSeconds", duration, "must be greater than 0"));
  const transitions = optInteger(spec, "leaseTransitions", "spec.leaseTransitions", errs);
  if (transitions !== undefined && transitions < 0) {
    errs.push(invalid("spec.leaseTransitions", transitions, "must be greater than or equal to 0"));
  }
  timeField(spec, "acquireTime", "spec.acquireTime", errs);
  timeField(spec, "renewTime", "spec.renewTime", errs);
}

/** ValidateEvent (v1): an involvedObject with a kind and name, in the event's namespace; count >= 0. */
export function validateEvent(obj: JsonRecord, errs: Errors): void {
  const ref = obj["involvedObject"];
  if (!isRecord(ref)) {
    errs.push(
      ref === undefined ? required("involvedObject") : invalid("involvedObject", ref, "must be an object"),
    );
  } else {
    for (const f of ["kind", "name"]) {
      const v = optString(ref, f, child("involvedObject", f), errs) ?? "";
      if (v === "") errs.push(required(child("involvedObject", f)));
    }
    const ns = optString(ref, "namespace", "involvedObject.namespace", errs) ?? "";
    const own = isRecord(obj["metadata"]) ? obj["metadata"]["namespace"] : undefined;
    if (ns !== "" && ns !== own)
      errs.push(invalid("involvedObject.namespace", ns, "does not match event.namespace"));
  }
  const type = optString(obj, "type", "type", errs);
  if (type !== undefined && type !== "" && type !== "Normal" && type !== "Warning") {
    errs.push(invalid("type", type, "has invalid value, must be Normal or Warning"));
  }
  const count = optInteger(obj, "count", "count", errs);
  if (count !== undefined && count < 0)
    errs.push(invalid("count", count, "must be greater than or equal to 0"));
  for (const f of ["firstTimestamp", "lastTimestamp", "eventTime"]) {
    const v = obj[f];
    if (typeof v === "string" && !isRfc3339(v)) errs.push(invalid(f, v, MICRO_TIME_ERROR));
  }
}
