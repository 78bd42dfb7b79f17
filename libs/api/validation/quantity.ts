/**
 * Kubernetes quantities ("500m", "1Gi", "2", "1.5e3"): the format of every resource request,
 * limit, capacity and allocatable. Exact decimal arithmetic (BigInt) so "0.1" is 100
 * milli-units, not 100.00000000000001; results round up like Quantity.MilliValue/Value.
 */

/** apimachinery's ErrFormatWrong text: the message for a malformed quantity. */
export const QUANTITY_FORMAT_ERROR =
  "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
const QUANTITY_SUFFIX_ERROR = "unable to parse quantity's suffix";

const FORMAT_RE = /^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$/;
const NUMBER_RE = /^([+-]?)([0-9]*)(?:\.([0-9]*))?$/;
const EXPONENT_RE = /^[eE]([+-]?[0-9]{1,3})$/;
/** Quantities beyond this many digits or this decimal exponent are refused (no runaway BigInts). */
const DIGITS_MAX = 40;
const EXPONENT_MAX = 30;

const DECIMAL_SUFFIXES: Readonly<Record<string, number>> = {
  n: -9,
  u: -6,
  m: -3,
  "": 0,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};
const BINARY_SUFFIXES: Readonly<Record<string, number>> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };

/** A quantity as an exact rational: numerator / denominator, denominator > 0. */
interface Exact {
  readonly num: bigint;
  readonly den: bigint;
}

type Parsed = { readonly ok: true; readonly q: Exact } | { readonly ok: false; readonly error: string };

function parse(text: string): Parsed {
  const m = FORMAT_RE.exec(text);
  if (m === null) return { ok: false, error: QUANTITY_FORMAT_ERROR };
  const numberPart = m[1]!;
  const suffix = m[2]!;
  const n = NUMBER_RE.exec(numberPart);
  const intDigits = n?.[2] ?? "";
  const fracDigits = n?.[3] ?? "";
  if (n === null || intDigits.length + fracDigits.length === 0)
    return { ok: false, error: QUANTITY_FORMAT_ERROR };
  if (intDigits.length + fracDigits.length > DIGITS_MAX) return { ok: false, error: QUANTITY_FORMAT_ERROR };
  const sign = n[1] === "-" ? -1n : 1n;
  let num = sign * BigInt(intDigits + fracDigits || "0");
  let den = 10n ** BigInt(fracDigits.length);
  const decimal = DECIMAL_SUFFIXES[suffix];
  const binary = BINARY_SUFFIXES[suffix];
  const exp = EXPONENT_RE.exec(suffix);
  let power10: number;
  if (decimal !== undefined) power10 = decimal;
  else if (binary !== undefined) {
    num *= 2n ** BigInt(binary);
    power10 = 0;
  } else if (exp !== null) {
    power10 = Number(exp[1]);
    if (Math.abs(power10) > EXPONENT_MAX) return { ok: false, error: QUANTITY_SUFFIX_ERROR };
  } else {
    return { ok: false, error: QUANTITY_SUFFIX_ERROR };
  }
  if (power10 >= 0) num *= 10n ** BigInt(power10);
  else den *= 10n ** BigInt(-power10);
  return { ok: true, q: { num, den } };
}

/** Ceiling division for a positive denominator. */
function ceilDiv(num: bigint, den: bigint): bigint {
  const q = num / den;
  return num % den > 0n ? q + 1n : q;
}

/**
 * The quantity in milli-units, rounded up ("500m" -> 500, "2" -> 2000, "1Ki" -> 1024000),
 * the unit the scheduler compares CPU in; undefined when `text` is not a quantity.
 */
export function parseQuantity(text: string): number | undefined {
  const p = parse(text);
  return p.ok ? Number(ceilDiv(p.q.num * 1000n, p.q.den)) : undefined;
}

/**
 * The quantity in whole base units, rounded up ("1Gi" -> 1073741824 bytes, "500m" -> 1),
 * the unit memory and storage are compared in; undefined when `text` is not a quantity.
 */
export function parseQuantityValue(text: string): number | undefined {
  const p = parse(text);
  return p.ok ? Number(ceilDiv(p.q.num, p.q.den)) : undefined;
}

/** Why `text` is not a quantity (apimachinery's wording), or undefined when it is one. */
export function quantityError(text: string): string | undefined {
  const p = parse(text);
  return p.ok ? undefined : p.error;
}

/** -1, 0 or 1: the sign of a valid quantity; undefined when invalid. */
export function quantitySign(text: string): number | undefined {
  const p = parse(text);
  if (!p.ok) return undefined;
  return p.q.num > 0n ? 1 : p.q.num < 0n ? -1 : 0;
}

/** Compares two valid quantities exactly: negative, zero or positive; undefined if either is invalid. */
export function compareQuantities(a: string, b: string): number | undefined {
  const pa = parse(a);
  const pb = parse(b);
  if (!pa.ok || !pb.ok) return undefined;
  const l = pa.q.num * pb.q.den;
  const r = pb.q.num * pa.q.den;
  return l < r ? -1 : l > r ? 1 : 0;
}
