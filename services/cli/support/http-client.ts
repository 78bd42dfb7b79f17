/**
 * The master's HTTP endpoints as the CLI uses them: GET /status, /healthz, /readyz and the
 * admin POSTs. Every request is bounded by a timeout; failures come back as values, since a
 * member that does not answer is an ordinary state for `status` and the waits.
 */

/** How long one request may take. @default 1000 */
export const HTTP_TIMEOUT_MS = 1000;

/** What GET /status answers (the fields the CLI reads; the master may send more). */
export interface MasterStatus {
  readonly name: string;
  readonly id: string;
  /** "leader", "follower", "candidate", "pre-candidate", "learner", … */
  readonly role: string;
  readonly term: number;
  /** The leader this member knows of; undefined when it knows none. */
  readonly leader: { readonly name: string; readonly id: string } | undefined;
  readonly commitIndex: number;
  readonly appliedIndex: number;
  readonly lastIndex: number;
  readonly clientURL: string;
  readonly peerURL: string;
  readonly httpURL: string;
  readonly fsync: string;
  readonly pid: number | undefined;
  /** The membership as this member sees it. */
  readonly members: readonly { readonly name: string; readonly id: string }[];
}

export type HttpResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: string };

/** GET `${base}/status`, parsed; a member that does not answer in time is `ok: false`. */
export async function getStatus(
  base: string,
  timeoutMs = HTTP_TIMEOUT_MS,
): Promise<HttpResult<MasterStatus>> {
  const res = await request(`${base}/status`, { method: "GET" }, timeoutMs);
  if (!res.ok) return res;
  try {
    return { ok: true, value: parseStatus(JSON.parse(res.value)) };
  } catch (err) {
    return { ok: false, error: `GET /status: bad answer: ${(err as Error).message}` };
  }
}

/** GET `${base}${path}` (e.g. /healthz): ok when it answers 2xx. */
export async function getOk(
  base: string,
  path: string,
  timeoutMs = HTTP_TIMEOUT_MS,
): Promise<HttpResult<string>> {
  return request(`${base}${path}`, { method: "GET" }, timeoutMs);
}

/** POST a JSON body to `${base}${path}`: ok when it answers 2xx. */
export async function postJson(
  base: string,
  path: string,
  body: unknown,
  timeoutMs = HTTP_TIMEOUT_MS,
): Promise<HttpResult<string>> {
  return request(
    `${base}${path}`,
    { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) },
    timeoutMs,
  );
}

async function request(url: string, init: RequestInit, timeoutMs: number): Promise<HttpResult<string>> {
  const what = `${init.method} ${new URL(url).pathname}`;
  try {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    const text = await res.text();
    if (!res.ok) return { ok: false, error: `${what}: HTTP ${res.status} ${text.trim().slice(0, 200)}` };
    return { ok: true, value: text };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    if (e.name === "TimeoutError") return { ok: false, error: `${what}: no answer within ${timeoutMs} ms` };
    return { ok: false, error: `${what}: ${e.cause?.code ?? e.message}` };
  }
}

/** Reads the fields of /status leniently: missing numbers read as 0, a missing leader as none. */
export function parseStatus(json: unknown): MasterStatus {
  if (typeof json !== "object" || json === null) throw new Error("not a JSON object");
  const o = json as Record<string, unknown>;
  const str = (k: string): string => (typeof o[k] === "string" ? (o[k] as string) : String(o[k] ?? ""));
  const num = (k: string): number => {
    const v = Number(o[k] ?? 0);
    return Number.isFinite(v) ? v : 0;
  };
  const lead = o["leader"];
  let leader: MasterStatus["leader"];
  if (typeof lead === "object" && lead !== null) {
    const l = lead as Record<string, unknown>;
    const name = typeof l["name"] === "string" ? l["name"] : "";
    const id = l["id"] === undefined || l["id"] === null ? "" : String(l["id"]);
    if (name !== "" || (id !== "" && id !== "0")) leader = { name, id };
  }
  const fsync = o["fsync"];
  return {
    name: str("name"),
    id: str("id"),
    role: str("role").toLowerCase(),
    term: num("term"),
    leader,
    commitIndex: num("commitIndex"),
    appliedIndex: num("appliedIndex"),
    lastIndex: num("lastIndex"),
    clientURL: str("clientURL"),
    peerURL: str("peerURL"),
    httpURL: str("httpURL"),
    fsync: typeof fsync === "boolean" ? (fsync ? "on" : "off") : str("fsync"),
    pid: typeof o["pid"] === "number" ? o["pid"] : undefined,
    members: Array.isArray(o["members"])
      ? o["members"].map((x: unknown) => {
          const r = (typeof x === "object" && x !== null ? x : {}) as Record<string, unknown>;
          return { name: typeof r["name"] === "string" ? r["name"] : "", id: String(r["id"] ?? "") };
        })
      : [],
  };
}
