import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatFieldError, labelSelectorFromObject, parseLabelSelector } from "../index.js";

type Labels = Record<string, string>;

function parse(text: string) {
  const r = parseLabelSelector(text);
  if (!r.ok) throw new Error(r.errors.map(formatFieldError).join("; "));
  return r.value;
}

const MATCHES: readonly [selector: string, labels: Labels | undefined, matches: boolean][] = [
  ["", undefined, true],
  ["", { a: "b" }, true],
  ["app=web", { app: "web" }, true],
  ["app==web", { app: "web" }, true],
  ["app=web", { app: "db" }, false],
  ["app=web", {}, false],
  ["app!=web", {}, true],
  ["app!=web", { app: "web" }, false],
  ["app!=web", { app: "db" }, true],
  ["env in (a,b)", { env: "b" }, true],
  ["env in (a,b)", { env: "c" }, false],
  ["env in (a,b)", {}, false],
  ["env notin (a,b)", {}, true],
  ["env notin (a,b)", { env: "a" }, false],
  ["has", { has: "" }, true],
  ["has", {}, false],
  ["!legacy", {}, true],
  ["!legacy", { legacy: "yes" }, false],
  ["app=web,tier!=db,env in (a,b),!legacy,has", { app: "web", tier: "fe", env: "a", has: "1" }, true],
  [
    "app=web,tier!=db,env in (a,b),!legacy,has",
    { app: "web", tier: "fe", env: "a", has: "1", legacy: "x" },
    false,
  ],
  ["app=", { app: "" }, true],
  ["app=", { app: "x" }, false],
  ["n>3", { n: "4" }, true],
  ["n>3", { n: "3" }, false],
  ["n<3", { n: "x" }, false],
  ["  app = web ,  tier in ( a , b )  ", { app: "web", tier: "b" }, true],
  ["example.com/role=leader", { "example.com/role": "leader" }, true],
];

describe("parseLabelSelector", () => {
  it.each(MATCHES)("%j against %j matches: %s", (text, labels, expected) => {
    expect(parse(text).matches(labels)).toBe(expected);
  });

  it("the empty selector is empty and prints as the empty string", () => {
    expect(parse("").empty).toBe(true);
    expect(parse("   ").toString()).toBe("");
    expect(parse("a").empty).toBe(false);
  });

  it("prints requirements sorted by key, as labels.Parse sorts them", () => {
    expect(parse("z=1,a in (c,b,b),!m,k").toString()).toBe("a in (b,c),k,!m,z=1");
  });

  const ERRORS: readonly [string, string][] = [
    ["x=a b", "found 'b', expected: ',' or 'end of string'"],
    ["a in b", "unable to parse requirement: found 'b' expected: '('"],
    ["x=(", "unable to parse requirement: found '(', expected: identifier"],
    ["x in (a,", "unable to parse requirement: found '', expected: ',', or identifier"],
    ["a=b=c", "found '=', expected: ',' or 'end of string'"],
    ["a,", "found '', expected: identifier after ','"],
    ["=a", "found '=', expected: !, identifier, or 'end of string'"],
    ["a (b)", "unable to parse requirement: found '(', expected: in, notin, =, ==, !=, gt, lt"],
    ["a=>b", "unable to parse requirement: found '>', expected: identifier"],
    ["a in (,,)", "unable to parse requirement: found ')', expected: ',', or identifier"],
    [
      "k@=v",
      "unable to parse requirement: <nil>: Invalid value: \"k@\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
    ],
    [
      "k=v@",
      "unable to parse requirement: values[0][k]: Invalid value: \"v@\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
    ],
    [
      "n>x",
      "unable to parse requirement: values[0]: Invalid value: \"x\": for 'Gt', 'Lt' operators, the value must be an integer",
    ],
  ];
  it.each(ERRORS)("%j fails with apimachinery's message %j on field labelSelector", (text, detail) => {
    const r = parseLabelSelector(text);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toEqual([{ type: "Invalid", field: "labelSelector", value: text, detail }]);
  });
});

// ---- properties -------------------------------------------------------------------------------

const keyArb = fc.constantFrom("app", "tier", "env", "example.com/role", "a.b_c-d", "x");
const valueArb = fc.constantFrom("", "web", "db", "a", "b", "v1.2", "in", "notin", "A_b-c");
const requirementArb = fc.oneof(
  fc.tuple(keyArb, fc.constantFrom("=", "==", "!="), valueArb).map(([k, op, v]) => `${k}${op}${v}`),
  fc
    .tuple(
      keyArb,
      fc.constantFrom(" in ", " notin "),
      fc.array(
        valueArb.filter((v) => v !== ""),
        { minLength: 1, maxLength: 3 },
      ),
    )
    .map(([k, op, vs]) => `${k}${op}(${vs.join(",")})`),
  fc.tuple(keyArb, fc.constantFrom(" in ()", " in (,a)", " notin (b,)")).map(([k, rest]) => `${k}${rest}`),
  keyArb,
  keyArb.map((k) => `!${k}`),
);
const selectorArb = fc.array(requirementArb, { maxLength: 5 }).map((rs) => rs.join(","));
const labelsArb = fc.dictionary(keyArb, valueArb, { maxKeys: 6 });

describe("label selector properties", () => {
  it("a parsed selector's toString parses back to a selector that matches exactly the same label sets", () => {
    fc.assert(
      fc.property(selectorArb, fc.array(labelsArb, { maxLength: 10 }), (text, labelSets) => {
        const first = parse(text);
        const again = parse(first.toString());
        expect(again.toString()).toBe(first.toString());
        for (const labels of labelSets) expect(again.matches(labels)).toBe(first.matches(labels));
      }),
    );
  });

  it("parsing arbitrary text never throws: it gives a selector or an error on labelSelector", () => {
    fc.assert(
      fc.property(
        fc.string({
          unit: fc.constantFrom(
            "a",
            "=",
            "!",
            "(",
            ")",
            ",",
            " ",
            "i",
            "n",
            "o",
            "t",
            "<",
            ">",
            "1",
            "/",
            ".",
          ),
        }),
        (text) => {
          const r = parseLabelSelector(text);
          if (!r.ok) expect(r.errors[0]?.field).toBe("labelSelector");
        },
      ),
    );
  });
});

describe("labelSelectorFromObject", () => {
  it("combines matchLabels and matchExpressions, like LabelSelectorAsSelector", () => {
    const r = labelSelectorFromObject(
      {
        matchLabels: { app: "web" },
        matchExpressions: [
          { key: "tier", operator: "In", values: ["fe", "be"] },
          { key: "legacy", operator: "DoesNotExist" },
          { key: "zone", operator: "Exists" },
          { key: "env", operator: "NotIn", values: ["dev"] },
        ],
      },
      "spec.selector",
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.toString()).toBe("app=web,env notin (dev),!legacy,tier in (be,fe),zone");
    expect(r.value.matches({ app: "web", tier: "fe", zone: "z1" })).toBe(true);
    expect(r.value.matches({ app: "web", tier: "fe", zone: "z1", legacy: "1" })).toBe(false);
    expect(r.value.matches({ app: "web", tier: "fe", zone: "z1", env: "dev" })).toBe(false);
  });

  it("an empty object selects everything; a missing one selects nothing", () => {
    const all = labelSelectorFromObject({}, "spec.selector");
    const none = labelSelectorFromObject(undefined, "spec.selector");
    expect(all.ok && all.value.empty && all.value.matches({ any: "thing" })).toBe(true);
    expect(none.ok && !none.value.empty && !none.value.matches({})).toBe(true);
  });

  const BAD: readonly [unknown, string[]][] = [
    [
      { matchExpressions: [{ key: "a", operator: "Near" }] },
      ['spec.selector.matchExpressions[0].operator: Invalid value: "Near": not a valid selector operator'],
    ],
    [
      { matchExpressions: [{ key: "a", operator: "NotIn" }] },
      [
        "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
      ],
    ],
    [
      { matchExpressions: [{ key: "a", operator: "Exists", values: ["x"] }] },
      [
        "spec.selector.matchExpressions[0].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
      ],
    ],
    [
      { matchLabels: { "bad key": "v" } },
      [
        "spec.selector.matchLabels: Invalid value: \"bad key\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
      ],
    ],
    ["app=web", ['spec.selector: Invalid value: "app=web": must be an object']],
  ];
  it.each(BAD)("%j is rejected with %j", (sel, messages) => {
    const r = labelSelectorFromObject(sel, "spec.selector");
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.map(formatFieldError)).toEqual(messages);
  });
});
