/**
 * A strict parser of the Prometheus text exposition format (version 0.0.4), for tests: every
 * line must be a HELP, a TYPE, a comment or a well-formed sample of a declared family, or it
 * throws naming the line. Enough to check what /metrics serves is what a scraper reads.
 */

export type MetricType = "counter" | "gauge" | "histogram" | "summary" | "untyped";

export interface Sample {
  /** The sample's own name (e.g. `x_bucket` in family `x`). */
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface Family {
  readonly name: string;
  help: string | undefined;
  type: MetricType | undefined;
  readonly samples: Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(["counter", "gauge", "histogram", "summary", "untyped"]);
const SUFFIXES: Record<MetricType, readonly string[]> = {
  counter: [""],
  gauge: [""],
  untyped: [""],
  histogram: ["_bucket", "_sum", "_count"],
  summary: ["", "_sum", "_count"],
};

/** Parses `text`; throws Error("line N: …") on the first malformed line. */
export function parsePrometheusText(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const family = (name: string): Family => {
    let f = families.get(name);
    if (!f) {
      f = { name, help: undefined, type: undefined, samples: [] };
      families.set(name, f);
    }
    return f;
  };
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  lines.forEach((line, i) => {
    const fail = (why: string): never => {
      throw new Error(`line ${i + 1}: ${why}: ${JSON.stringify(line)}`);
    };
    if (line.trim() === "") return;
    const meta = /^#\s+(HELP|TYPE)\s+(\S+)(?:\s(.*))?$/.exec(line);
    if (meta) {
      const [, kind, name, rest = ""] = meta;
      if (!NAME.test(name!)) fail("bad metric name");
      const f = family(name!);
      if (kind === "HELP") {
        if (f.help !== undefined) fail("second HELP");
        f.help = unescapeText(rest, false, fail);
      } else {
        if (f.type !== undefined) fail("second TYPE");
        if (f.samples.length > 0) fail("TYPE after samples");
        if (!TYPES.has(rest)) fail(`unknown type ${rest}`);
        f.type = rest as MetricType;
      }
      return;
    }
    if (line.startsWith("#")) return;
    const sample = parseSample(line, fail);
    const f = familyOf(sample.name, families);
    if (!f) fail("sample of an undeclared family");
    f!.samples.push(sample);
  });
  return families;
}

function familyOf(sampleName: string, families: Map<string, Family>): Family | undefined {
  for (const f of families.values()) {
    const suffixes = SUFFIXES[f.type ?? "untyped"];
    if (suffixes.some((s) => f.name + s === sampleName)) return f;
  }
  return undefined;
}

function parseSample(line: string, fail: (why: string) => never): Sample {
  const nameMatch = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line);
  if (!nameMatch) fail("no metric name");
  const name = nameMatch![0];
  let pos = name.length;
  const labels: Record<string, string> = {};
  if (line[pos] === "{") {
    pos++;
    while (line[pos] !== "}") {
      const ln = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(line.slice(pos));
      if (!ln || !LABEL_NAME.test(ln[0])) fail("bad label name");
      pos += ln![0].length;
      if (line.slice(pos, pos + 2) !== '="') fail('expected ="');
      pos += 2;
      let raw = "";
      while (pos < line.length && line[pos] !== '"') {
        if (line[pos] === "\\") raw += line[pos++];
        raw += line[pos++] ?? "";
      }
      if (line[pos] !== '"') fail("unterminated label value");
      pos++;
      if (ln![0] in labels) fail(`duplicate label ${ln![0]}`);
      labels[ln![0]] = unescapeText(raw, true, fail);
      if (line[pos] === ",") pos++;
      else if (line[pos] !== "}") fail("expected , or }");
    }
    pos++;
  }
  const rest = line.slice(pos);
  const m = /^ +(\S+)(?: +(-?\d+))?$/.exec(rest);
  if (!m) fail("expected a value (and an optional timestamp)");
  return { name, labels, value: parseValue(m![1]!, fail) };
}

/** As Go's strconv.ParseFloat, which Prometheus uses: NaN and Inf in any case (prom-client writes "Nan"). */
function parseValue(s: string, fail: (why: string) => never): number {
  if (/^nan$/i.test(s)) return Number.NaN;
  const inf = /^([+-]?)inf(inity)?$/i.exec(s);
  if (inf) return inf[1] === "-" ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(s)) fail(`bad value ${s}`);
  return Number(s);
}

function unescapeText(s: string, quotes: boolean, fail: (why: string) => never): string {
  return s.replace(/\\(.)/g, (_, c: string) => {
    if (c === "\\") return "\\";
    if (c === "n") return "\n";
    if (c === '"' && quotes) return '"';
    return fail(`bad escape \\${c}`);
  });
}

/** The value of the one sample named `name` with exactly `labels` (undefined if none). */
export function sampleValue(
  families: Map<string, Family>,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  for (const f of families.values()) {
    for (const s of f.samples) {
      if (s.name !== name) continue;
      const keys = Object.keys(s.labels);
      if (keys.length === Object.keys(labels).length && keys.every((k) => s.labels[k] === labels[k]))
        return s.value;
    }
  }
  return undefined;
}
