/**
 * One label requirement (key, operator, values), as apimachinery's labels.Requirement:
 * construction validates the key, the values and their count per operator.
 */
import { type FieldError, invalid, notSupported } from "../field-error.js";
import { isQualifiedName, isValidLabelValue } from "../validation/names.js";

export type Operator = "=" | "==" | "!=" | "in" | "notin" | "exists" | "!" | "gt" | "lt";

export interface Requirement {
  readonly key: string;
  readonly operator: Operator;
  /** Sorted and de-duplicated, as sets.String.List() returns them. */
  readonly values: readonly string[];
}

const VALID_OPERATORS: readonly string[] = ["in", "notin", "=", "==", "!=", "exists", "!", "gt", "lt"];
const INTEGER_RE = /^[+-]?[0-9]+$/;

/**
 * apimachinery's NewRequirement. `path` is the field path errors are reported on; empty
 * means none, which apimachinery prints as "<nil>" for keys and "values[i]" for values.
 */
export function newRequirement(
  key: string,
  operator: Operator,
  values: readonly string[],
  path: string,
): Requirement | FieldError {
  const keyErrs = isQualifiedName(key);
  if (keyErrs.length > 0) return invalid(path === "" ? "<nil>" : `${path}.key`, key, keyErrs.join("; "));
  const valuesPath = path === "" ? "values" : `${path}.values`;
  switch (operator) {
    case "in":
    case "notin":
      if (values.length === 0)
        return invalid(valuesPath, values, "for 'in', 'notin' operators, values set can't be empty");
      break;
    case "=":
    case "==":
    case "!=":
      if (values.length !== 1)
        return invalid(valuesPath, values, "exact-match compatibility requires one single value");
      break;
    case "exists":
    case "!":
      if (values.length !== 0)
        return invalid(valuesPath, values, "values set must be empty for exists and does not exist");
      break;
    case "gt":
    case "lt":
      if (values.length !== 1)
        return invalid(valuesPath, values, "for 'Gt', 'Lt' operators, exactly one value is required");
      for (const [i, v] of values.entries()) {
        if (!INTEGER_RE.test(v))
          return invalid(`${valuesPath}[${i}]`, v, "for 'Gt', 'Lt' operators, the value must be an integer");
      }
      break;
    default:
      return notSupported(path === "" ? "operator" : `${path}.operator`, operator, VALID_OPERATORS);
  }
  for (const [i, v] of values.entries()) {
    const errs = isValidLabelValue(v);
    if (errs.length > 0) return invalid(`${valuesPath}[${i}][${key}]`, v, errs.join("; "));
  }
  return { key, operator, values: [...new Set(values)].sort() };
}

/** Whether `labels` satisfy one requirement (a missing key fails `=`/`in` and passes `!=`/`notin`). */
export function requirementMatches(
  r: Requirement,
  labels: Readonly<Record<string, string>> | undefined,
): boolean {
  const has = labels !== undefined && Object.hasOwn(labels, r.key);
  const value = has ? labels[r.key]! : "";
  switch (r.operator) {
    case "=":
    case "==":
    case "in":
      return has && r.values.includes(value);
    case "!=":
    case "notin":
      return !has || !r.values.includes(value);
    case "exists":
      return has;
    case "!":
      return !has;
    case "gt":
    case "lt": {
      if (!has || !INTEGER_RE.test(value)) return false;
      const a = Number(value);
      const b = Number(r.values[0]);
      return r.operator === "gt" ? a > b : a < b;
    }
  }
}

/** apimachinery's Requirement.String(): "!key", "key", "key=v", "key in (a,b)", "key>3". */
export function requirementString(r: Requirement): string {
  switch (r.operator) {
    case "!":
      return `!${r.key}`;
    case "exists":
      return r.key;
    case "in":
      return `${r.key} in (${r.values.join(",")})`;
    case "notin":
      return `${r.key} notin (${r.values.join(",")})`;
    case "gt":
      return `${r.key}>${r.values[0] ?? ""}`;
    case "lt":
      return `${r.key}<${r.values[0] ?? ""}`;
    default:
      return `${r.key}${r.operator}${r.values[0] ?? ""}`;
  }
}
