/**
 * ObjectMeta rules, as apimachinery's ValidateObjectMeta and ValidateObjectMetaUpdate
 * apply them: names per kind, namespace presence, labels, annotations, owner references,
 * finalizers; and the fields an update may not change.
 */
import { forbidden, invalid, required, tooLong } from "../field-error.js";
import { deepEqual, isRecord, type JsonRecord } from "../json.js";
import type { ObjectMeta } from "../types/meta.js";
import {
  child,
  type Errors,
  eachRecord,
  IMMUTABLE_ERROR,
  nonNegative,
  optArray,
  validateLabels,
} from "./common.js";
import { isDns1123Label, isQualifiedName, type NameValidator } from "./names.js";

/** apimachinery's TotalAnnotationSizeLimitB: 256 KiB of keys and values together. */
export const ANNOTATIONS_BYTES_MAX = 256 * 1024;

/** ValidateObjectMeta with `path` "metadata". */
export function validateObjectMeta(
  meta: ObjectMeta,
  namespaced: boolean,
  nameFn: NameValidator,
  errs: Errors,
): void {
  const path = "metadata";
  const name = meta.name ?? "";
  const generateName = meta.generateName ?? "";
  if (generateName.length > 0) {
    for (const m of nameFn(generateName, true))
      errs.push(invalid(child(path, "generateName"), generateName, m));
  }
  if (name.length === 0) {
    if (generateName.length === 0)
      errs.push(required(child(path, "name"), "name or generateName is required"));
  } else {
    for (const m of nameFn(name, false)) errs.push(invalid(child(path, "name"), name, m));
  }
  const ns = meta.namespace ?? "";
  if (namespaced) {
    if (ns.length === 0) errs.push(required(child(path, "namespace")));
    else for (const m of isDns1123Label(ns)) errs.push(invalid(child(path, "namespace"), ns, m));
  } else if (ns.length > 0) {
    errs.push(forbidden(child(path, "namespace"), "not allowed on this type"));
  }
  nonNegative(meta.generation, child(path, "generation"), errs);
  validateLabels(meta.labels, child(path, "labels"), errs);
  validateAnnotations(meta.annotations, child(path, "annotations"), errs);
  validateOwnerReferences(meta as JsonRecord, errs);
  validateFinalizers(meta.finalizers, child(path, "finalizers"), errs);
}

/** apimachinery's ValidateAnnotations: keys are qualified names (case-insensitive), 256 KiB total. */
export function validateAnnotations(annotations: unknown, path: string, errs: Errors): void {
  if (!isRecord(annotations)) return;
  let bytes = 0;
  for (const [k, v] of Object.entries(annotations)) {
    for (const m of isQualifiedName(k.toLowerCase())) errs.push(invalid(path, k, m));
    bytes += utf8Length(k) + (typeof v === "string" ? utf8Length(v) : 0);
  }
  if (bytes > ANNOTATIONS_BYTES_MAX) errs.push(tooLong(path, ANNOTATIONS_BYTES_MAX));
}

function utf8Length(s: string): number {
  let n = 0;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    n += c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
  }
  return n;
}

function validateOwnerReferences(meta: JsonRecord, errs: Errors): void {
  const path = "metadata.ownerReferences";
  const refs = optArray(meta, "ownerReferences", path, errs);
  if (refs === undefined) return;
  const controllers: string[] = [];
  eachRecord(refs, path, errs, (ref, p) => {
    const req: [string, string][] = [
      ["apiVersion", "version must not be empty"],
      ["kind", "kind must not be empty"],
      ["name", "name must not be empty"],
      ["uid", "uid must not be empty"],
    ];
    for (const [f, detail] of req) {
      if (typeof ref[f] !== "string" || ref[f] === "") errs.push(invalid(child(p, f), ref[f] ?? "", detail));
    }
    if (ref["controller"] === true) controllers.push(`${String(ref["kind"])}/${String(ref["name"])}`);
  });
  if (controllers.length > 1) {
    errs.push(
      invalid(
        path,
        refs,
        `Only one reference can have Controller set to true. Found "true" in references for ${controllers.join(" and ")}`,
      ),
    );
  }
}

const STANDARD_FINALIZERS: ReadonlySet<string> = new Set(["kubernetes", "orphan", "foregroundDeletion"]);

function validateFinalizers(finalizers: readonly unknown[] | undefined, path: string, errs: Errors): void {
  if (finalizers === undefined) return;
  finalizers.forEach((f, i) => {
    if (typeof f !== "string") return;
    for (const m of isQualifiedName(f)) errs.push(invalid(path, f, m));
    if (!f.includes("/") && !STANDARD_FINALIZERS.has(f)) {
      errs.push(
        invalid(`${path}[${i}]`, f, "name is neither a standard finalizer name nor is it fully qualified"),
      );
    }
  });
}

/** ValidateObjectMetaUpdate: identity fields never change, and a deleting object takes no new finalizers. */
export function validateObjectMetaUpdate(next: ObjectMeta, prev: ObjectMeta, errs: Errors): void {
  const path = "metadata";
  for (const f of ["name", "namespace", "uid", "creationTimestamp"] as const) {
    const a = next[f];
    const b = prev[f];
    if (a !== undefined && !deepEqual(a, b)) errs.push(invalid(child(path, f), a, IMMUTABLE_ERROR));
  }
  if (prev.deletionTimestamp !== undefined) {
    const before = new Set(prev.finalizers ?? []);
    const added = (next.finalizers ?? []).filter((f) => !before.has(f));
    if (added.length > 0) {
      errs.push(
        forbidden(
          child(path, "finalizers"),
          `no new finalizers can be added if the object is being deleted, found new finalizers []string{${added.map((f) => JSON.stringify(f)).join(", ")}}`,
        ),
      );
    }
  }
}
