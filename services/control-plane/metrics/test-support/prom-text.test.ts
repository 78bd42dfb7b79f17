import { describe, expect, it } from "vitest";
import { parsePrometheusText, sampleValue } from "./prom-text.js";

describe("the Prometheus text parser used by the tests", () => {
  it("reads families, labels with escapes, special values and histogram samples", () => {
    const f = parsePrometheusText(
      [
        "# HELP a_total Things \\\\ counted\\nover lines.",
        "# TYPE a_total counter",
        'a_total{code="OK",path="C:\\\\x \\"q\\""} 3',
        "# TYPE h histogram",
        'h_bucket{le="0.5"} 1',
        'h_bucket{le="+Inf"} 2',
        "h_sum 1.5e0",
        "h_count 2 1700000000000",
        "# TYPE g gauge",
        "g NaN",
        "# TYPE n gauge",
        "n Nan",
        "# TYPE i gauge",
        "i -Inf",
        "",
      ].join("\n"),
    );
    expect(f.get("a_total")?.help).toBe("Things \\ counted\nover lines.");
    expect(sampleValue(f, "a_total", { code: "OK", path: 'C:\\x "q"' })).toBe(3);
    expect(sampleValue(f, "h_bucket", { le: "+Inf" })).toBe(2);
    expect(sampleValue(f, "h_count")).toBe(2);
    expect(f.get("h")?.samples).toHaveLength(4);
    expect(sampleValue(f, "g")).toBeNaN();
    expect(sampleValue(f, "n")).toBeNaN();
    expect(sampleValue(f, "i")).toBe(Number.NEGATIVE_INFINITY);
  });

  it.each([
    ["a sample of an undeclared family", "x 1"],
    ["a bad value", "# TYPE x gauge\nx one"],
    ["an unterminated label value", '# TYPE x gauge\nx{a="1} 1'],
    ["a duplicate label", '# TYPE x gauge\nx{a="1",a="2"} 1'],
    ["an unknown type", "# TYPE x thing"],
    ["a TYPE after samples", "# TYPE x gauge\nx 1\n# TYPE x gauge"],
    ["a histogram sample without its suffix", "# TYPE h histogram\nh 1"],
  ])("refuses %s", (_, text) => {
    expect(() => parsePrometheusText(text)).toThrow(/line \d+/);
  });
});
