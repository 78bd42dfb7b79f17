import { describe, expect, it } from "vitest";
import { holds } from "../commands/apply.js";
import { parseManifest } from "./manifest.js";
import { formatAge, tableHeader, tableRow } from "./resource-table.js";

const cm = (name: string): string => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n`;

describe("parseManifest", () => {
  it("reads several YAML documents in order and skips empty ones", () => {
    const objs = parseManifest(`${cm("a")}---\n---\n${cm("b")}`, "f.yaml");
    expect(objs.map((o) => o.object.metadata.name)).toEqual(["a", "b"]);
    expect(objs[1]!.source).toBe("f.yaml (document 3)");
  });

  it("flattens a kind: List given as JSON", () => {
    const list = {
      apiVersion: "v1",
      kind: "List",
      items: [{ apiVersion: "v1", kind: "Pod", metadata: { name: "p" } }],
    };
    expect(parseManifest(JSON.stringify(list), "l.json").map((o) => o.object.kind)).toEqual(["Pod"]);
  });

  it("names the file and the document of text that is not YAML", () => {
    expect(() => parseManifest(`${cm("a")}---\nthis: is: not\n`, "x.yaml")).toThrow(
      /^x\.yaml \(document 2\) is not valid YAML or JSON/,
    );
  });

  it("rejects objects without kind or name, and files without objects", () => {
    expect(() => parseManifest("apiVersion: v1\nmetadata: {name: a}\n", "f")).toThrow(
      "f: the object has no kind",
    );
    expect(() => parseManifest("apiVersion: v1\nkind: Pod\n", "f")).toThrow("has no metadata.name");
    expect(() => parseManifest("# nothing\n", "-")).toThrow("no objects found in stdin");
  });
});

describe("holds (apply's unchanged test)", () => {
  const desired = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "p", labels: { a: "1" } },
    spec: { containers: [{ name: "c", image: "x" }] },
  };
  const stored = {
    ...desired,
    metadata: { name: "p", labels: { a: "1" }, uid: "u", resourceVersion: "5" },
    spec: { containers: [{ name: "c", image: "x", imagePullPolicy: "Always" }], restartPolicy: "Always" },
    status: { phase: "Running" },
  };

  it("holds when the stored object has every desired field, defaults added", () => {
    expect(holds(stored, desired)).toBe(true);
  });

  it("does not hold when a value, a label or the length of a list differs", () => {
    expect(holds(stored, { ...desired, spec: { containers: [{ name: "c", image: "y" }] } })).toBe(false);
    expect(holds(stored, { ...desired, metadata: { name: "p", labels: { a: "2" } } })).toBe(false);
    expect(holds(stored, { ...desired, spec: { containers: [] } })).toBe(false);
  });
});

describe("resource tables", () => {
  it("formats ages as kubectl does", () => {
    expect([5_000, 119_000, 200_000, 3_600_000, 90_000_000, 400_000_000].map(formatAge)).toEqual([
      "5s",
      "119s",
      "3m20s",
      "60m",
      "25h",
      "4d",
    ]);
  });

  it("puts EVENT and NAMESPACE in front and per-kind columns after NAME", () => {
    const shape = { kind: "po", allNamespaces: true, watch: true };
    expect(tableHeader(shape)).toEqual(["EVENT", "NAMESPACE", "NAME", "READY", "STATUS", "NODE", "AGE"]);
    const pod = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "web", namespace: "default", creationTimestamp: "2026-01-01T00:00:00Z" },
      spec: { containers: [{}, {}], nodeName: "n1" },
      status: { phase: "Running", containerStatuses: [{ ready: true }, { ready: false }] },
    };
    expect(tableRow(shape, pod, Date.parse("2026-01-01T00:00:30Z"), "MODIFIED")).toEqual([
      "MODIFIED",
      "default",
      "web",
      "1/2",
      "Running",
      "n1",
      "30s",
    ]);
  });
});
