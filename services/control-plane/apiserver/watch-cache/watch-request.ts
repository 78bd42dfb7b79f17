/**
 * What a watch asks for, checked once before its stream starts: the kind, the namespace, the
 * selectors and where to start. The gRPC and WebSocket edges both build a WatchSpec here, so
 * the two speak the same semantics and reject the same bad input with the same reasons.
 */
import {
  type ApiObject,
  type FieldError,
  type FieldSelector,
  formatFieldError,
  type KindInfo,
  type LabelSelector,
  parseFieldSelector,
  parseLabelSelector,
  resolveKind,
} from "../../../../libs/api/index.js";
import { ApiError } from "../api-error.js";

/** The fields of a watch request, as both edges receive them (proto field names). */
export interface WatchParams {
  readonly kind: string;
  readonly namespace: string;
  readonly label_selector: string;
  readonly field_selector: string;
  readonly resource_version: string;
  readonly allow_bookmarks: boolean;
}

/** Where a watch starts. */
export type WatchStart =
  /** "" or "0": an ADDED event for every current object, then changes. */
  | { readonly kind: "list" }
  /** "N": every change with a revision above N. */
  | { readonly kind: "after"; readonly revision: number };

/** A checked watch request. */
export interface WatchSpec {
  readonly info: KindInfo;
  /** "" = every namespace (and always "" for cluster-scoped kinds). */
  readonly namespace: string;
  readonly label: LabelSelector;
  readonly field: FieldSelector;
  readonly start: WatchStart;
  readonly allowBookmarks: boolean;
}

/** Checks a watch request; throws ApiError (NotFound, BadRequest, Invalid) on bad input. */
export function parseWatchParams(p: WatchParams): WatchSpec {
  const info = resolveKind(p.kind);
  if (info === undefined) {
    throw new ApiError("NotFound", `the server could not find the requested resource (kind "${p.kind}")`);
  }
  const label = parseLabelSelector(p.label_selector);
  if (!label.ok) throw selectorError("label", p.label_selector, label.errors);
  const field = parseFieldSelector(p.field_selector, info);
  if (!field.ok) throw selectorError("field", p.field_selector, field.errors);
  return {
    info,
    namespace: info.namespaced ? p.namespace : "",
    label: label.value,
    field: field.value,
    start: parseStart(p.resource_version),
    allowBookmarks: p.allow_bookmarks,
  };
}

/** Kubernetes answers a selector it cannot parse with BadRequest (400), the field errors as causes. */
function selectorError(which: "label" | "field", text: string, errors: readonly FieldError[]): ApiError {
  const why = errors.map(formatFieldError).join(", ");
  return new ApiError("BadRequest", `unable to parse requested ${which} selector "${text}": ${why}`, errors);
}

function parseStart(rv: string): WatchStart {
  if (rv === "" || rv === "0") return { kind: "list" };
  if (!/^[0-9]{1,15}$/.test(rv)) {
    throw new ApiError("BadRequest", `invalid resourceVersion "${rv}": must be a non-negative integer`);
  }
  return { kind: "after", revision: Number(rv) };
}

/** Does an object pass the watch's selectors? (Kind and namespace are checked by key.) */
export function matchesSpec(spec: WatchSpec, obj: ApiObject): boolean {
  if (!spec.label.empty && !spec.label.matches(obj.metadata.labels)) return false;
  return spec.field.empty || spec.field.matches(obj);
}
