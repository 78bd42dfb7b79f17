/**
 * Field errors exactly as Kubernetes' apimachinery `field.Error` prints them, so that
 * messages from Flotilla read like the ones users know from kubectl.
 */

/** The kinds of field error Kubernetes reports (a subset of apimachinery's ErrorType). */
export type FieldErrorType =
  | "Invalid"
  | "Required"
  | "NotSupported"
  | "Duplicate"
  | "TooLong"
  | "TooMany"
  | "Forbidden";

/** One problem with one field: `field` is a Kubernetes path like `spec.containers[0].image`. */
export interface FieldError {
  readonly type: FieldErrorType;
  readonly field: string;
  readonly value?: unknown;
  readonly detail: string;
}

const TYPE_TEXT: Readonly<Record<FieldErrorType, string>> = {
  Invalid: "Invalid value",
  Required: "Required value",
  NotSupported: "Unsupported value",
  Duplicate: "Duplicate value",
  TooLong: "Too long",
  TooMany: "Too many",
  Forbidden: "Forbidden",
};

const TYPE_REASON: Readonly<Record<FieldErrorType, string>> = {
  Invalid: "FieldValueInvalid",
  Required: "FieldValueRequired",
  NotSupported: "FieldValueNotSupported",
  Duplicate: "FieldValueDuplicate",
  TooLong: "FieldValueTooLong",
  TooMany: "FieldValueTooMany",
  Forbidden: "FieldValueForbidden",
};

/** Types whose message never shows the bad value (apimachinery's ErrorBody). */
const VALUE_OMITTED: ReadonlySet<FieldErrorType> = new Set(["Required", "Forbidden", "TooLong"]);

/** Kubernetes' reason for a FieldError type, as sent in a Status' causes. */
export function fieldErrorReason(t: FieldErrorType): string {
  return TYPE_REASON[t];
}

/**
 * Kubernetes' wording: "spec.replicas: Invalid value: -1: must be greater than or equal to 0",
 * "metadata.name: Required value: name or generateName is required",
 * "spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\", \"OnFailure\", \"Never\"".
 */
export function formatFieldError(e: FieldError): string {
  return `${e.field}: ${fieldErrorBody(e)}`;
}

/**
 * The message without the field, as apimachinery's ErrorBody: what Kubernetes puts in a
 * Status cause's `message` (the field goes in `field`): "Invalid value: -1: must be ...".
 */
export function fieldErrorBody(e: FieldError): string {
  let body = TYPE_TEXT[e.type];
  if (!VALUE_OMITTED.has(e.type) && "value" in e) body += ": " + formatValue(e.value);
  if (e.detail.length > 0) body += ": " + e.detail;
  return body;
}

/** Several errors as one message, the way Kubernetes' aggregate prints them. */
export function formatFieldErrors(errors: readonly FieldError[]): string {
  if (errors.length === 1) return formatFieldError(errors[0]!);
  return "[" + errors.map(formatFieldError).join(", ") + "]";
}

/**
 * Go's `%v` for numbers and booleans, `%q` for strings, `%#v`-like for maps of strings
 * (`map[string]string{"a":"b"}`) and JSON for everything else; null prints "null".
 */
export function formatValue(value: unknown): string {
  if (value === null || value === undefined) return "null";
  switch (typeof value) {
    case "string":
      return goQuote(value);
    case "number":
    case "boolean":
    case "bigint":
      return String(value);
    case "object":
      return formatObject(value);
    default:
      return "null";
  }
}

function formatObject(value: object): string {
  if (Array.isArray(value)) {
    if (value.every((v) => typeof v === "string")) {
      return "[]string{" + value.map((v) => goQuote(v as string)).join(", ") + "}";
    }
    return safeJson(value);
  }
  const entries = Object.entries(value);
  if (entries.length > 0 && entries.every(([, v]) => typeof v === "string")) {
    const keys = entries.map(([k]) => k).sort();
    const record = value as Record<string, string>;
    return "map[string]string{" + keys.map((k) => `${goQuote(k)}:${goQuote(record[k]!)}`).join(", ") + "}";
  }
  return safeJson(value);
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? "null";
  } catch {
    return "<unprintable>";
  }
}

/** Go's strconv.Quote for the printable cases that matter here. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const code = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === "\\") out += "\\\\";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\r") out += "\\r";
    else if (code < 0x20 || code === 0x7f) out += "\\x" + code.toString(16).padStart(2, "0");
    else out += ch;
  }
  return out + '"';
}

// ---- constructors, named like apimachinery's field.Invalid, field.Required, ... -------------

/** `field: Invalid value: value: detail`. */
export function invalid(field: string, value: unknown, detail: string): FieldError {
  return { type: "Invalid", field, value, detail };
}

/** `field: Required value[: detail]`. */
export function required(field: string, detail = ""): FieldError {
  return { type: "Required", field, detail };
}

/** `field: Unsupported value: "x": supported values: "a", "b"`. */
export function notSupported(field: string, value: unknown, valid: readonly string[]): FieldError {
  const detail = valid.length > 0 ? "supported values: " + valid.map(goQuote).join(", ") : "";
  return { type: "NotSupported", field, value, detail };
}

/** `field: Duplicate value: value`. */
export function duplicate(field: string, value: unknown): FieldError {
  return { type: "Duplicate", field, value, detail: "" };
}

/** `field: Forbidden: detail`. */
export function forbidden(field: string, detail: string): FieldError {
  return { type: "Forbidden", field, detail };
}

/** `field: Too long: may not be more than N bytes`. */
export function tooLong(field: string, maxBytes: number): FieldError {
  return { type: "TooLong", field, detail: `may not be more than ${maxBytes} bytes` };
}

/** `field: Too many: n: must have at most N items`. */
export function tooMany(field: string, actual: number, maxItems: number): FieldError {
  return { type: "TooMany", field, value: actual, detail: `must have at most ${maxItems} items` };
}
