/**
 * Label selectors: the text syntax of Kubernetes' labels.Parse ("app=web,tier!=db,
 * env in (a,b),!legacy,has") with its error messages, and the { matchLabels,
 * matchExpressions } object of workloads.
 */
import { type FieldError, invalid } from "../field-error.js";
import { child, index, isRecord } from "../json.js";
import { fail, ok, type Result } from "../result.js";
import { validateLabelSelectorObject } from "../validation/label-selector-object.js";
import { type Token, type TokenKind, tokenize } from "./label-lexer.js";
import {
  newRequirement,
  type Operator,
  type Requirement,
  requirementMatches,
  requirementString,
} from "./requirement.js";

/** A parsed label selector; immutable. */
export interface LabelSelector {
  /** True when every requirement holds for `labels` (undefined = no labels). */
  matches(labels: Readonly<Record<string, string>> | undefined): boolean;
  /** True for the selector that selects everything (no requirements). */
  readonly empty: boolean;
  /** The canonical text form, which parses back to an equivalent selector. */
  toString(): string;
}

class RequirementsSelector implements LabelSelector {
  readonly empty: boolean;
  constructor(
    readonly requirements: readonly Requirement[],
    private readonly nothing = false,
  ) {
    this.empty = !nothing && requirements.length === 0;
  }
  matches(labels: Readonly<Record<string, string>> | undefined): boolean {
    if (this.nothing) return false;
    return this.requirements.every((r) => requirementMatches(r, labels));
  }
  toString(): string {
    return this.requirements.map(requirementString).join(",");
  }
}

/** The selector that matches everything. */
export const EVERYTHING: LabelSelector = new RequirementsSelector([]);
/** The selector that matches nothing (a missing selector object, as labels.Nothing()). */
export const NOTHING: LabelSelector = new RequirementsSelector([], true);

const BINARY_OPERATORS = "in, notin, =, ==, !=, gt, lt";

/** A parse failure with apimachinery's message. */
class ParseError {
  constructor(readonly message: string) {}
}

/** Recursive descent over the token list, as apimachinery's labels.Parser. */
class Parser {
  private pos = 0;
  constructor(private readonly tokens: readonly Token[]) {}

  /** The next token; in Values context `in`/`notin` are plain identifiers. */
  private lookahead(values: boolean): Token {
    const t = this.tokens[this.pos] ?? { kind: "EndOfString", literal: "" };
    if (values && (t.kind === "In" || t.kind === "NotIn")) return { kind: "Identifier", literal: t.literal };
    return t;
  }
  private consume(values: boolean): Token {
    const t = this.lookahead(values);
    if (this.pos < this.tokens.length) this.pos++;
    return t;
  }

  parse(): Requirement[] {
    const out: Requirement[] = [];
    for (;;) {
      const t = this.lookahead(true);
      if (t.kind === "Identifier" || t.kind === "DoesNotExist") {
        out.push(this.requirementOrThrow());
        const sep = this.consume(true);
        if (sep.kind === "EndOfString") return out;
        if (sep.kind !== "Comma")
          throw new ParseError(`found '${sep.literal}', expected: ',' or 'end of string'`);
        const t2 = this.lookahead(true);
        if (t2.kind !== "Identifier" && t2.kind !== "DoesNotExist") {
          throw new ParseError(`found '${t2.literal}', expected: identifier after ','`);
        }
      } else if (t.kind === "EndOfString") {
        return out;
      } else {
        throw new ParseError(`found '${t.literal}', expected: !, identifier, or 'end of string'`);
      }
    }
  }

  private requirementOrThrow(): Requirement {
    try {
      return this.requirement();
    } catch (e) {
      if (e instanceof ParseError) throw new ParseError(`unable to parse requirement: ${e.message}`);
      throw e;
    }
  }

  private requirement(): Requirement {
    let operator: Operator | undefined;
    let t = this.consume(true);
    if (t.kind === "DoesNotExist") {
      operator = "!";
      t = this.consume(true);
    }
    if (t.kind !== "Identifier") throw new ParseError(`found '${t.literal}', expected: identifier`);
    const key = t.literal;
    const next = this.lookahead(true).kind;
    if (operator === undefined && (next === "EndOfString" || next === "Comma")) operator = "exists";
    let values: string[] = [];
    if (operator === undefined) {
      operator = this.operator();
      values = operator === "in" || operator === "notin" ? this.setValues() : this.exactValue();
    }
    const r = newRequirement(key, operator, values, "");
    if ("type" in r) throw new ParseError(formatNilPath(r));
    return r;
  }

  private operator(): Operator {
    const t = this.consume(false);
    const ops: Partial<Record<TokenKind, Operator>> = {
      In: "in",
      NotIn: "notin",
      Equals: "=",
      DoubleEquals: "==",
      NotEquals: "!=",
      GreaterThan: "gt",
      LessThan: "lt",
    };
    const op = ops[t.kind];
    if (op === undefined) throw new ParseError(`found '${t.literal}', expected: ${BINARY_OPERATORS}`);
    return op;
  }

  private setValues(): string[] {
    const open = this.consume(true);
    if (open.kind !== "OpenPar") throw new ParseError(`found '${open.literal}' expected: '('`);
    const t = this.lookahead(true);
    if (t.kind === "ClosedPar") {
      this.consume(true);
      return [""];
    }
    if (t.kind !== "Identifier" && t.kind !== "Comma") {
      throw new ParseError(`found '${t.literal}', expected: ',', ')' or identifier`);
    }
    const values = this.identifiers();
    const close = this.consume(true);
    if (close.kind !== "ClosedPar") throw new ParseError(`found '${t.literal}', expected: ')'`);
    return values;
  }

  private identifiers(): string[] {
    const s = new Set<string>();
    for (;;) {
      const t = this.consume(true);
      if (t.kind === "Identifier") {
        s.add(t.literal);
        const t2 = this.lookahead(true);
        if (t2.kind === "Comma") continue;
        if (t2.kind === "ClosedPar") return [...s];
        throw new ParseError(`found '${t2.literal}', expected: ',' or ')'`);
      }
      if (t.kind === "Comma") {
        if (s.size === 0) s.add("");
        const t2 = this.lookahead(true);
        if (t2.kind === "ClosedPar") {
          s.add("");
          return [...s];
        }
        if (t2.kind === "Comma") {
          this.consume(true);
          s.add("");
        }
        continue;
      }
      throw new ParseError(`found '${t.literal}', expected: ',', or identifier`);
    }
  }

  private exactValue(): string[] {
    const t = this.lookahead(true);
    if (t.kind === "EndOfString" || t.kind === "Comma") return [""];
    const v = this.consume(true);
    if (v.kind === "Identifier") return [v.literal];
    throw new ParseError(`found '${v.literal}', expected: identifier`);
  }
}

/** A field error from a requirement built without a path, printed as apimachinery does. */
function formatNilPath(e: FieldError): string {
  const value = Array.isArray(e.value)
    ? `[]string{${e.value.map((v) => JSON.stringify(v)).join(", ")}}`
    : JSON.stringify(e.value);
  return `${e.field}: Invalid value: ${value}: ${e.detail}`;
}

/**
 * Parses Kubernetes' label selector syntax. Requirements are sorted by key, as
 * labels.Parse sorts them, so toString is canonical. Errors carry field "labelSelector",
 * the text as value and apimachinery's message as detail.
 */
export function parseLabelSelector(text: string): Result<LabelSelector> {
  const tokens = tokenize(text);
  const bad = tokens.find((t) => t.kind === "Error");
  if (bad !== undefined) return fail([invalid("labelSelector", text, bad.literal)]);
  try {
    const reqs = new Parser(tokens).parse();
    return ok(new RequirementsSelector(sortByKey(reqs)));
  } catch (e) {
    if (e instanceof ParseError) return fail([invalid("labelSelector", text, e.message)]);
    throw e;
  }
}

function sortByKey(reqs: Requirement[]): Requirement[] {
  return reqs
    .map((r, i) => [r, i] as const)
    .sort(([a, i], [b, j]) => (a.key < b.key ? -1 : a.key > b.key ? 1 : i - j))
    .map(([r]) => r);
}

const EXPRESSION_OPERATORS: Readonly<Record<string, Operator>> = {
  In: "in",
  NotIn: "notin",
  Exists: "exists",
  DoesNotExist: "!",
};

/**
 * From a workload's { matchLabels, matchExpressions } (In, NotIn, Exists, DoesNotExist), as
 * metav1.LabelSelectorAsSelector, after the checks of ValidateLabelSelector (errors under
 * `fieldPath`). A missing (undefined or null) selector selects nothing; `{}` selects everything.
 */
export function labelSelectorFromObject(sel: unknown, fieldPath: string): Result<LabelSelector> {
  if (sel === undefined || sel === null) return ok(NOTHING);
  const errs: FieldError[] = [];
  validateLabelSelectorObject(sel, fieldPath, errs);
  if (errs.length > 0 || !isRecord(sel)) return fail(errs);
  const reqs: Requirement[] = [];
  const matchLabels = isRecord(sel["matchLabels"]) ? sel["matchLabels"] : {};
  for (const [k, v] of Object.entries(matchLabels)) {
    const r = newRequirement(k, "=", [String(v)], child(fieldPath, "matchLabels"));
    if ("type" in r) errs.push(r);
    else reqs.push(r);
  }
  const exprs = Array.isArray(sel["matchExpressions"]) ? sel["matchExpressions"] : [];
  exprs.forEach((expr, i) => {
    if (!isRecord(expr)) return;
    const op = EXPRESSION_OPERATORS[String(expr["operator"])];
    const values = Array.isArray(expr["values"]) ? expr["values"].map(String) : [];
    if (op === undefined) return;
    const r = newRequirement(String(expr["key"]), op, values, index(child(fieldPath, "matchExpressions"), i));
    if ("type" in r) errs.push(r);
    else reqs.push(r);
  });
  if (errs.length > 0) return fail(errs);
  return ok(new RequirementsSelector(sortByKey(reqs)));
}
