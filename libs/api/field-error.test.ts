import { describe, expect, it } from "vitest";
import {
  type FieldError,
  type FieldErrorType,
  fieldErrorBody,
  fieldErrorReason,
  formatFieldError,
  formatFieldErrors,
} from "./index.js";

const CASES: readonly [FieldError, string][] = [
  [
    { type: "Invalid", field: "spec.replicas", value: -1, detail: "must be greater than or equal to 0" },
    "spec.replicas: Invalid value: -1: must be greater than or equal to 0",
  ],
  [
    { type: "Required", field: "metadata.name", detail: "name or generateName is required" },
    "metadata.name: Required value: name or generateName is required",
  ],
  [{ type: "Required", field: "spec.containers", detail: "" }, "spec.containers: Required value"],
  [
    {
      type: "NotSupported",
      field: "spec.restartPolicy",
      value: "Sometimes",
      detail: 'supported values: "Always", "OnFailure", "Never"',
    },
    'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
  ],
  [
    { type: "Duplicate", field: "spec.containers[1].name", value: "web", detail: "" },
    'spec.containers[1].name: Duplicate value: "web"',
  ],
  [
    { type: "Forbidden", field: "metadata.namespace", value: "x", detail: "not allowed on this type" },
    "metadata.namespace: Forbidden: not allowed on this type",
  ],
  [
    {
      type: "TooLong",
      field: "metadata.annotations",
      value: "x",
      detail: "may not be more than 262144 bytes",
    },
    "metadata.annotations: Too long: may not be more than 262144 bytes",
  ],
  [
    { type: "TooMany", field: "spec.containers", value: 5, detail: "must have at most 3 items" },
    "spec.containers: Too many: 5: must have at most 3 items",
  ],
  [
    { type: "Invalid", field: "spec.paused", value: true, detail: "x" },
    "spec.paused: Invalid value: true: x",
  ],
  [{ type: "Invalid", field: "spec.x", value: null, detail: "x" }, "spec.x: Invalid value: null: x"],
  [
    { type: "Invalid", field: "spec.x", value: 'say "hi"\n', detail: "x" },
    'spec.x: Invalid value: "say \\"hi\\"\\n": x',
  ],
  [
    { type: "Invalid", field: "spec.selector", value: { b: "2", a: "1" }, detail: "x" },
    'spec.selector: Invalid value: map[string]string{"a":"1", "b":"2"}: x',
  ],
  [
    { type: "Invalid", field: "spec.values", value: ["a", "b"], detail: "x" },
    'spec.values: Invalid value: []string{"a", "b"}: x',
  ],
  [{ type: "Invalid", field: "spec.x", value: { n: 1 }, detail: "x" }, 'spec.x: Invalid value: {"n":1}: x'],
  [
    { type: "Invalid", field: "spec.x", detail: "no value to show" },
    "spec.x: Invalid value: no value to show",
  ],
];

describe("formatFieldError prints apimachinery's field.Error wording", () => {
  it.each(CASES)("%j prints as %s", (error, text) => {
    expect(formatFieldError(error)).toBe(text);
  });

  it("the body is the message without the field, for a Status cause", () => {
    expect(
      fieldErrorBody({
        type: "Invalid",
        field: "spec.replicas",
        value: -1,
        detail: "must be greater than or equal to 0",
      }),
    ).toBe("Invalid value: -1: must be greater than or equal to 0");
  });

  it("several errors print as Kubernetes' aggregate, in brackets", () => {
    const a: FieldError = { type: "Required", field: "a", detail: "" };
    const b: FieldError = { type: "Required", field: "b", detail: "" };
    expect(formatFieldErrors([a])).toBe("a: Required value");
    expect(formatFieldErrors([a, b])).toBe("[a: Required value, b: Required value]");
  });
});

describe("fieldErrorReason", () => {
  const REASONS: readonly [FieldErrorType, string][] = [
    ["Invalid", "FieldValueInvalid"],
    ["Required", "FieldValueRequired"],
    ["NotSupported", "FieldValueNotSupported"],
    ["Duplicate", "FieldValueDuplicate"],
    ["TooLong", "FieldValueTooLong"],
    ["TooMany", "FieldValueTooMany"],
    ["Forbidden", "FieldValueForbidden"],
  ];
  it.each(REASONS)("%s has the Status cause reason %s", (type, reason) => {
    expect(fieldErrorReason(type)).toBe(reason);
  });
});
