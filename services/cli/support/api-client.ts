/**
 * The CLI's way to the resource API: an {@link ApiClient} over every member's client port as
 * recorded in the cluster folder, and kubectl's wording for failures (`Error from server
 * (NotFound): configmaps "x" not found`).
 */
import { type KindInfo, resolveKind } from "../../../libs/api/index.js";
import { ApiClient, ApiStatusError, type KubeObject } from "../../../libs/client/index.js";
import { clientAddress, dirHint, readCluster } from "./cluster-dir.js";

/** Deadline of one call attempt from the CLI. */
const CALL_TIMEOUT_MS = 5_000;
/** No retry after this long: a person is waiting. */
const RETRY_BUDGET_MS = 15_000;

/** An ApiClient over the cluster in `dir`; the caller closes it. */
export function openApi(dir: string): ApiClient {
  const rec = readCluster(dir);
  return new ApiClient(rec.members.map(clientAddress), {
    callTimeoutMs: CALL_TIMEOUT_MS,
    retryBudgetMs: RETRY_BUDGET_MS,
  });
}

/**
 * Why a call failed, as kubectl words it: the server's reason and message, and for Invalid
 * one line per field error; a failure the server did not answer says what to check.
 */
export function describeApiError(err: unknown, dir: string): string {
  if (!(err instanceof ApiStatusError)) return `error: ${err instanceof Error ? err.message : String(err)}`;
  if (err.reason === "ServiceUnavailable" || err.reason === "Timeout" || err.reason === "")
    return (
      `error: the cluster in ${dir} did not answer (${err.message}); ` +
      `check it with \`flotilla status${dirHint(dir)}\` (start it with \`flotilla up${dirHint(dir)}\`)`
    );
  const lines = [`Error from server (${err.reason}): ${err.message}`];
  if (err.causes.length > 1 || (err.causes.length === 1 && !err.message.includes(err.causes[0]!.message)))
    for (const c of err.causes) lines.push(`  * ${c.field}: ${c.message}`);
  return lines.join("\n");
}

/** KindInfo for what the user typed ("po", "pods", "Pod"), or undefined for the server to judge. */
export function kindInfoOf(kind: string): KindInfo | undefined {
  return resolveKind(kind) ?? resolveKind(kind.toLowerCase());
}

/**
 * kubectl's `TYPE.GROUP` of a kind: "configmap", "deployment.apps",
 * "lease.coordination.k8s.io".
 */
export function kindRef(kind: string): string {
  const info = kindInfoOf(kind);
  if (info === undefined) return kind.toLowerCase();
  const slash = info.apiVersion.indexOf("/");
  const group = slash >= 0 ? info.apiVersion.slice(0, slash) : "";
  return group === "" ? info.kind.toLowerCase() : `${info.kind.toLowerCase()}.${group}`;
}

/** `deployment.apps/nginx`: how apply names an object. */
export function objectRef(obj: KubeObject): string {
  return `${kindRef(obj.kind)}/${obj.metadata.name ?? ""}`;
}

/**
 * The namespace a call for `kind` goes to: "" for cluster-scoped kinds, else the object's own,
 * else `-n`, else "default".
 */
export function namespaceFor(kind: string, own: string | undefined, flag: string): string {
  const info = kindInfoOf(kind);
  if (info !== undefined && !info.namespaced) return "";
  return own || flag || "default";
}
