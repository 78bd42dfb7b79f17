import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type ApiObject,
  applyDefaults,
  applyMergePatch,
  type CreateContext,
  decodeObject,
  JSON_DEPTH_MAX,
  KINDS,
  markDeleted,
  parseFieldSelector,
  prepareForCreate,
  prepareForUpdate,
  validateObject,
  validateUpdate,
} from "./index.js";
import { NGINX_DEPLOYMENT, SIMPLE_POD } from "./test/docs-manifests.js";

const CTX: CreateContext = { uid: "u", now: "2026-11-22T07:40:26Z", randomSuffix: "abcde" };

/** The whole pipeline a server runs on a client's object; must never throw. */
function pipeline(json: unknown): void {
  for (const info of KINDS) {
    const d = decodeObject(json, info);
    if (!d.ok) {
      expect(d.errors.length).toBeGreaterThan(0);
      continue;
    }
    const obj = applyDefaults(d.value, info);
    validateObject(obj, info);
    const made = prepareForCreate(obj, info, CTX);
    validateUpdate(obj, made, info);
    prepareForUpdate(obj, made, info, "main");
    prepareForUpdate(obj, made, info, "status");
    markDeleted(made, CTX.now);
    parseFieldSelector("metadata.name=x,spec.nodeName=y", info);
  }
}

/** Objects that look like manifests, with arbitrary JSON in the places validators look. */
const shapedArb = fc.record(
  {
    apiVersion: fc.oneof(fc.constantFrom("v1", "apps/v1", "coordination.k8s.io/v1"), fc.jsonValue()),
    kind: fc.oneof(fc.constantFrom(...KINDS.map((k) => k.kind)), fc.jsonValue()),
    metadata: fc.oneof(
      fc.record(
        {
          name: fc.oneof(fc.string(), fc.jsonValue()),
          labels: fc.jsonValue(),
          finalizers: fc.jsonValue(),
          ownerReferences: fc.jsonValue(),
        },
        { requiredKeys: [] },
      ),
      fc.jsonValue(),
    ),
    spec: fc.oneof(
      fc.record(
        {
          containers: fc.oneof(
            fc.array(fc.dictionary(fc.constantFrom("name", "image", "ports", "resources"), fc.jsonValue())),
            fc.jsonValue(),
          ),
          selector: fc.jsonValue(),
          template: fc.jsonValue(),
          ports: fc.jsonValue(),
          replicas: fc.jsonValue(),
          strategy: fc.jsonValue(),
          tolerations: fc.jsonValue(),
          accessModes: fc.jsonValue(),
          resources: fc.jsonValue(),
          leaseDurationSeconds: fc.jsonValue(),
          renewTime: fc.jsonValue(),
          taints: fc.jsonValue(),
          updateStrategy: fc.jsonValue(),
        },
        { requiredKeys: [] },
      ),
      fc.jsonValue(),
    ),
    status: fc.jsonValue(),
    data: fc.jsonValue(),
    subsets: fc.jsonValue(),
    involvedObject: fc.jsonValue(),
  },
  { requiredKeys: [] },
);

describe("garbage input never throws", () => {
  it("arbitrary JSON values go through decode, defaults, validation and metadata without throwing", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (json) => pipeline(json)),
      { numRuns: 300 },
    );
  });

  it("manifest-shaped objects with arbitrary JSON in every field never throw", () => {
    fc.assert(
      fc.property(shapedArb, (json) => pipeline(json)),
      { numRuns: 500 },
    );
  });

  it("documentation manifests merge-patched with arbitrary JSON never throw", () => {
    fc.assert(
      fc.property(fc.constantFrom<object>(SIMPLE_POD, NGINX_DEPLOYMENT), fc.jsonValue(), (base, patch) =>
        pipeline(applyMergePatch(base, patch)),
      ),
      { numRuns: 300 },
    );
  });

  it.each([
    ["a number", 42],
    ["an array", [SIMPLE_POD]],
    ["null", null],
    ["a string", "apiVersion: v1"],
    ["undefined", undefined],
  ])("%s is refused with an error, not an exception", (_name, json) => {
    const r = decodeObject(json, KINDS[0]!);
    expect(r.ok).toBe(false);
  });

  it("nesting deeper than the bound is refused without recursion", () => {
    let deep: unknown = "leaf";
    for (let i = 0; i < 100_000; i++) deep = [deep];
    const r = decodeObject(
      { ...SIMPLE_POD, spec: { containers: deep } },
      KINDS.find((k) => k.kind === "Pod")!,
    );
    expect(r.ok ? "" : r.errors[0]?.detail).toBe(`must not nest deeper than ${JSON_DEPTH_MAX} levels`);
  });

  it("a cyclic object is refused rather than walked forever", () => {
    const cyclic: Record<string, unknown> = { ...SIMPLE_POD };
    cyclic["self"] = cyclic;
    expect(decodeObject(cyclic, KINDS.find((k) => k.kind === "Pod")!).ok).toBe(false);
  });

  it("non-JSON values (NaN, functions) are refused", () => {
    const pod = KINDS.find((k) => k.kind === "Pod")!;
    expect(decodeObject({ ...SIMPLE_POD, spec: { n: Number.NaN } }, pod).ok).toBe(false);
    expect(decodeObject({ ...SIMPLE_POD, spec: { f: () => 1 } }, pod).ok).toBe(false);
  });

  it("validateObject on objects that skipped decode still never throws", () => {
    const pod = KINDS.find((k) => k.kind === "Pod")!;
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), (metadata, spec) => {
        validateObject({ apiVersion: "v1", kind: "Pod", metadata, spec } as ApiObject, pod);
      }),
      { numRuns: 200 },
    );
  });
});

describe("unknown fields are kept", () => {
  it("decodeObject returns every field it was given, at every depth, unchanged", () => {
    const reserved = new Set(["apiVersion", "kind", "metadata"]);
    const extraArb = fc.dictionary(
      fc.string().filter((k) => !reserved.has(k)),
      fc.jsonValue(),
      { maxKeys: 5 },
    );
    const pod = KINDS.find((k) => k.kind === "Pod")!;
    fc.assert(
      fc.property(
        extraArb,
        fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 3 }),
        (extra, metaExtra) => {
          const metadata = { ...metaExtra, name: "web", labels: { app: "web" } };
          const input = { ...extra, apiVersion: "v1", kind: "Pod", metadata };
          const d = decodeObject(input, pod);
          expect(d.ok).toBe(true);
          if (d.ok) expect(d.value).toEqual(input);
        },
      ),
      { numRuns: 200 },
    );
  });
});
