/**
 * Field selectors, as Kubernetes' fields.ParseSelector and each kind's field-label
 * conversion: "metadata.name=x,spec.nodeName!=,status.phase=Running". Only `=`, `==` and
 * `!=` exist; values escape `\`, `,` and `=` with a backslash.
 */
import { invalid } from "../field-error.js";
import { isRecord, recordAt, stringAt } from "../json.js";
import type { KindInfo } from "../kinds.js";
import { fail, ok, type Result } from "../result.js";
import type { ApiObject } from "../types/meta.js";

/** A parsed field selector; immutable. */
export interface FieldSelector {
  /** True when every term holds for `obj`. */
  matches(obj: ApiObject): boolean;
  /** True when it has no terms (selects everything). */
  readonly empty: boolean;
  /** The canonical text (terms sorted, `==` written `=`), which parses back to the same selector. */
  toString(): string;
}

/** Reads one selectable field of an object as the string Kubernetes compares. */
type FieldGetter = (obj: ApiObject) => string;

const str =
  (...path: string[]): FieldGetter =>
  (obj) => {
    let cur: unknown = obj;
    for (const p of path.slice(0, -1)) cur = recordAt(cur, p);
    return stringAt(cur, path[path.length - 1]!) ?? "";
  };
const bool =
  (section: string, field: string): FieldGetter =>
  (obj) =>
    String(recordAt(obj, section)?.[field] === true);
const int =
  (section: string, field: string): FieldGetter =>
  (obj) => {
    const v = recordAt(obj, section)?.[field];
    return typeof v === "number" ? String(v) : "0";
  };

const COMMON: Readonly<Record<string, FieldGetter>> = {
  "metadata.name": (o) => (isRecord(o.metadata) ? (stringAt(o.metadata, "name") ?? "") : ""),
  "metadata.namespace": (o) => (isRecord(o.metadata) ? (stringAt(o.metadata, "namespace") ?? "") : ""),
};

/** The fields each kind supports beyond metadata.name and metadata.namespace. */
const PER_KIND: Readonly<Record<string, Readonly<Record<string, FieldGetter>>>> = {
  Pod: {
    "spec.nodeName": str("spec", "nodeName"),
    "spec.restartPolicy": str("spec", "restartPolicy"),
    "spec.schedulerName": str("spec", "schedulerName"),
    "spec.serviceAccountName": str("spec", "serviceAccountName"),
    "spec.hostNetwork": bool("spec", "hostNetwork"),
    "status.phase": str("status", "phase"),
    "status.podIP": str("status", "podIP"),
    "status.nominatedNodeName": str("status", "nominatedNodeName"),
  },
  Node: { "spec.unschedulable": bool("spec", "unschedulable") },
  Namespace: { "status.phase": str("status", "phase") },
  ReplicaSet: { "status.replicas": int("status", "replicas") },
  Secret: { type: str("type") },
  Event: {
    "involvedObject.kind": str("involvedObject", "kind"),
    "involvedObject.namespace": str("involvedObject", "namespace"),
    "involvedObject.name": str("involvedObject", "name"),
    "involvedObject.uid": str("involvedObject", "uid"),
    "involvedObject.apiVersion": str("involvedObject", "apiVersion"),
    "involvedObject.resourceVersion": str("involvedObject", "resourceVersion"),
    "involvedObject.fieldPath": str("involvedObject", "fieldPath"),
    reason: str("reason"),
    reportingComponent: str("reportingComponent"),
    source: str("source", "component"),
    type: str("type"),
  },
};

/** The field labels a kind accepts in field selectors, sorted. */
export function supportedFieldLabels(info: KindInfo): string[] {
  return [...Object.keys(COMMON), ...Object.keys(PER_KIND[info.kind] ?? {})].sort();
}

function getterFor(info: KindInfo, field: string): FieldGetter | undefined {
  if (Object.hasOwn(COMMON, field)) return COMMON[field];
  const kind = PER_KIND[info.kind];
  return kind !== undefined && Object.hasOwn(kind, field) ? kind[field] : undefined;
}

interface Term {
  readonly field: string;
  readonly negate: boolean;
  readonly value: string;
  readonly get: FieldGetter;
}

class TermsSelector implements FieldSelector {
  readonly empty: boolean;
  constructor(private readonly terms: readonly Term[]) {
    this.empty = terms.length === 0;
  }
  matches(obj: ApiObject): boolean {
    return this.terms.every((t) => (t.get(obj) === t.value) !== t.negate);
  }
  toString(): string {
    return this.terms.map((t) => `${t.field}${t.negate ? "!=" : "="}${escapeFieldValue(t.value)}`).join(",");
  }
}

/** fields.EscapeValue: backslash before `\`, `,` and `=`. */
export function escapeFieldValue(v: string): string {
  return v.replace(/[\\,=]/g, (c) => `\\${c}`);
}

/** fields.UnescapeValue; a string result is the value, an object an error message. */
function unescapeFieldValue(s: string): string | { error: string } {
  let out = "";
  let inSlash = false;
  for (const c of s) {
    if (inSlash) {
      if (c === "\\" || c === "," || c === "=") out += c;
      else return { error: `invalid field selector: invalid escape sequence: \\${c}` };
      inSlash = false;
      continue;
    }
    if (c === "\\") inSlash = true;
    else if (c === "," || c === "=")
      return { error: `invalid field selector: unescaped character in value: ${c.codePointAt(0)}` };
    else out += c;
  }
  if (inSlash) return { error: "invalid field selector: invalid escape sequence: \\" };
  return out;
}

/** fields.splitTerms: split on commas not preceded by an escaping backslash. */
function splitTerms(text: string): string[] {
  if (text === "") return [];
  const terms: string[] = [];
  let start = 0;
  let escaped = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (escaped) escaped = false;
    else if (c === "\\") escaped = true;
    else if (c === ",") {
      terms.push(text.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(text.slice(start));
  return terms;
}

/** fields.splitTerm: the first `!=`, `==` or `=` from the left. */
function splitTerm(term: string): [string, string, string] | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of ["!=", "==", "="]) {
      if (term.startsWith(op, i)) return [term.slice(0, i), op, term.slice(i + op.length)];
    }
  }
  return undefined;
}

/**
 * Parses a field selector for one kind: metadata.name and metadata.namespace for all;
 * spec.nodeName, spec.restartPolicy, spec.schedulerName, status.phase (and a few more)
 * for pods; involvedObject.* for events; ... An unsupported field fails with field
 * "fieldSelector" and Kubernetes' message "field label not supported: spec.foo".
 */
export function parseFieldSelector(text: string, info: KindInfo): Result<FieldSelector> {
  const parts = splitTerms(text).sort();
  const terms: Term[] = [];
  for (const part of parts) {
    if (part === "") continue;
    const split = splitTerm(part);
    if (split === undefined)
      return fail([
        invalid("fieldSelector", text, `invalid selector: '${text}'; can't understand '${part}'`),
      ]);
    const [field, op, rhs] = split;
    const value = unescapeFieldValue(rhs);
    if (typeof value !== "string") return fail([invalid("fieldSelector", text, value.error)]);
    const get = getterFor(info, field);
    if (get === undefined)
      return fail([invalid("fieldSelector", text, `field label not supported: ${field}`)]);
    terms.push({ field, negate: op === "!=", value, get });
  }
  return ok(new TermsSelector(terms));
}
