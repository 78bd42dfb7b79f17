/**
 * The tokenizer of Kubernetes' label selector syntax (k8s.io/apimachinery/pkg/labels):
 * identifiers, the keywords `in` and `notin`, and the symbols ! != = == ( ) , > <.
 */

export type TokenKind =
  | "Error"
  | "EndOfString"
  | "ClosedPar"
  | "Comma"
  | "DoesNotExist"
  | "DoubleEquals"
  | "Equals"
  | "GreaterThan"
  | "Identifier"
  | "In"
  | "LessThan"
  | "NotEquals"
  | "NotIn"
  | "OpenPar";

export interface Token {
  readonly kind: TokenKind;
  readonly literal: string;
}

const SYMBOLS: Readonly<Record<string, TokenKind>> = {
  ")": "ClosedPar",
  ",": "Comma",
  "!": "DoesNotExist",
  "==": "DoubleEquals",
  "=": "Equals",
  ">": "GreaterThan",
  "<": "LessThan",
  "!=": "NotEquals",
  "(": "OpenPar",
};
const KEYWORDS: Readonly<Record<string, TokenKind>> = { in: "In", notin: "NotIn" };

function isWhitespace(ch: string): boolean {
  return ch === " " || ch === "\t" || ch === "\r" || ch === "\n";
}

function isSpecialSymbol(ch: string): boolean {
  return ch === "=" || ch === "!" || ch === "(" || ch === ")" || ch === "," || ch === ">" || ch === "<";
}

/** Every token of `input`, ending with EndOfString (or an Error token). */
export function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  for (;;) {
    while (pos < input.length && isWhitespace(input[pos]!)) pos++;
    if (pos >= input.length) {
      tokens.push({ kind: "EndOfString", literal: "" });
      return tokens;
    }
    const ch = input[pos]!;
    if (isSpecialSymbol(ch)) {
      let buffer = "";
      let last: Token | undefined;
      while (pos < input.length && isSpecialSymbol(input[pos]!)) {
        const next = buffer + input[pos]!;
        const kind = SYMBOLS[next];
        if (kind !== undefined) {
          last = { kind, literal: next };
          buffer = next;
          pos++;
        } else if (last !== undefined) {
          break;
        } else {
          buffer = next;
          pos++;
        }
      }
      if (last === undefined) {
        tokens.push({ kind: "Error", literal: `error expected: keyword found '${buffer}'` });
        return tokens;
      }
      tokens.push(last);
      continue;
    }
    const start = pos;
    while (pos < input.length && !isWhitespace(input[pos]!) && !isSpecialSymbol(input[pos]!)) pos++;
    const word = input.slice(start, pos);
    tokens.push({ kind: KEYWORDS[word] ?? "Identifier", literal: word });
  }
}
