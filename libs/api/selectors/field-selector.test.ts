import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type ApiObject, type KindInfo, parseFieldSelector, resolveKind } from "../index.js";

const POD = resolveKind("pods")!;
const NODE = resolveKind("nodes")!;
const EVENT = resolveKind("events")!;

function pod(name: string, namespace: string, nodeName: string | undefined, phase: string): ApiObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace },
    spec: {
      containers: [],
      restartPolicy: "Always",
      schedulerName: "default-scheduler",
      ...(nodeName === undefined ? {} : { nodeName }),
    },
    status: { phase },
  };
}

function parse(text: string, info: KindInfo = POD) {
  const r = parseFieldSelector(text, info);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.value;
}

const WEB = pod("web-1", "default", "node-1", "Running");
const PENDING = pod("web-2", "prod", undefined, "Pending");

const MATCHES: readonly [string, ApiObject, boolean][] = [
  ["", WEB, true],
  ["metadata.name=web-1", WEB, true],
  ["metadata.name==web-1", WEB, true],
  ["metadata.name!=web-1", WEB, false],
  ["metadata.namespace=prod", PENDING, true],
  ["spec.nodeName=", PENDING, true],
  ["spec.nodeName=", WEB, false],
  ["spec.nodeName!=", WEB, true],
  ["spec.nodeName=node-1,status.phase=Running", WEB, true],
  ["spec.nodeName=node-1,status.phase!=Running", WEB, false],
  ["status.phase=Pending", PENDING, true],
  ["spec.restartPolicy=Always", WEB, true],
  ["spec.schedulerName=default-scheduler", WEB, true],
];

describe("parseFieldSelector", () => {
  it.each(MATCHES)("%j against a pod matches: %s", (text, obj, expected) => {
    expect(parse(text).matches(obj)).toBe(expected);
  });

  it("metadata.name and metadata.namespace work for every kind; spec.unschedulable for nodes", () => {
    const node: ApiObject = {
      apiVersion: "v1",
      kind: "Node",
      metadata: { name: "n1" },
      spec: { unschedulable: true },
    };
    expect(parse("metadata.name=n1,spec.unschedulable=true", NODE).matches(node)).toBe(true);
    const event: ApiObject = {
      apiVersion: "v1",
      kind: "Event",
      metadata: { name: "e", namespace: "d" },
      involvedObject: { kind: "Pod", name: "web" },
    };
    expect(parse("involvedObject.kind=Pod,involvedObject.name=web", EVENT).matches(event)).toBe(true);
  });

  it("an unsupported field fails on field fieldSelector with Kubernetes' message", () => {
    expect(parseFieldSelector("spec.foo=x", POD)).toEqual({
      ok: false,
      errors: [
        {
          type: "Invalid",
          field: "fieldSelector",
          value: "spec.foo=x",
          detail: "field label not supported: spec.foo",
        },
      ],
    });
    const r = parseFieldSelector("spec.nodeName=n1", NODE);
    expect(r.ok ? "" : r.errors[0]?.detail).toBe("field label not supported: spec.nodeName");
  });

  it("a term without an operator fails with fields.ParseSelector's message", () => {
    const r = parseFieldSelector("metadata.name", POD);
    expect(r.ok ? "" : r.errors[0]?.detail).toBe(
      "invalid selector: 'metadata.name'; can't understand 'metadata.name'",
    );
  });

  it("values escape backslash, comma and equals", () => {
    const obj = pod("a,b=c", "default", undefined, "Running");
    const sel = parse("metadata.name=a\\,b\\=c");
    expect(sel.matches(obj)).toBe(true);
    expect(sel.toString()).toBe("metadata.name=a\\,b\\=c");
    const bad = parseFieldSelector("metadata.name=a\\x", POD);
    expect(bad.ok ? "" : bad.errors[0]?.detail).toBe("invalid field selector: invalid escape sequence: \\x");
  });

  it("toString parses back to a selector that matches the same objects", () => {
    const fieldArb = fc.constantFrom("metadata.name", "metadata.namespace", "spec.nodeName", "status.phase");
    const valueArb = fc.constantFrom("", "web-1", "node-1", "Running", "a,b", "x=y", "back\\slash");
    const termArb = fc
      .tuple(fieldArb, fc.constantFrom("=", "==", "!="), valueArb)
      .map(([f, op, v]) => `${f}${op}${v.replace(/[\\,=]/g, (c) => `\\${c}`)}`);
    const objArb = fc
      .tuple(valueArb, valueArb, fc.option(valueArb, { nil: undefined }), valueArb)
      .map(([n, ns, node, phase]) => pod(n, ns, node, phase));
    fc.assert(
      fc.property(fc.array(termArb, { maxLength: 4 }), fc.array(objArb, { maxLength: 5 }), (terms, objs) => {
        const first = parse(terms.join(","));
        const again = parse(first.toString());
        for (const o of objs) expect(again.matches(o)).toBe(first.matches(o));
      }),
    );
  });
});
