/**
 * metav1 validation of a LabelSelector object ({ matchLabels, matchExpressions }), as
 * ValidateLabelSelector and ValidateLabelSelectorRequirement word it.
 */
import { forbidden, invalid, required } from "../field-error.js";
import { isRecord } from "../json.js";
import {
  child,
  type Errors,
  eachRecord,
  optArray,
  optString,
  validateLabelName,
  validateLabels,
} from "./common.js";
import { isValidLabelValue } from "./names.js";

/** Reports every problem of a selector object under `path`. */
export function validateLabelSelectorObject(sel: unknown, path: string, errs: Errors): void {
  if (!isRecord(sel)) {
    errs.push(invalid(path, sel, "must be an object"));
    return;
  }
  validateLabels(sel["matchLabels"], child(path, "matchLabels"), errs);
  const exprsPath = child(path, "matchExpressions");
  const exprs = optArray(sel, "matchExpressions", exprsPath, errs);
  if (exprs === undefined) return;
  eachRecord(exprs, exprsPath, errs, (expr, p) => {
    const op = optString(expr, "operator", child(p, "operator"), errs) ?? "";
    const valuesPath = child(p, "values");
    const values = optArray(expr, "values", valuesPath, errs) ?? [];
    switch (op) {
      case "In":
      case "NotIn":
        if (values.length === 0)
          errs.push(required(valuesPath, "must be specified when `operator` is 'In' or 'NotIn'"));
        break;
      case "Exists":
      case "DoesNotExist":
        if (values.length > 0)
          errs.push(
            forbidden(valuesPath, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"),
          );
        break;
      default:
        errs.push(invalid(child(p, "operator"), op, "not a valid selector operator"));
    }
    const key = optString(expr, "key", child(p, "key"), errs);
    validateLabelName(key ?? "", child(p, "key"), errs);
    values.forEach((v, i) => {
      const vp = `${valuesPath}[${i}]`;
      if (typeof v !== "string") errs.push(invalid(vp, v, "must be a string"));
      else for (const m of isValidLabelValue(v)) errs.push(invalid(vp, v, m));
    });
  });
}
