/**
 * `flotilla apply -f FILE`: creates each object of a manifest, or updates it when it exists
 * (carrying the stored resourceVersion, retrying a bounded number of times on Conflict), and
 * says so as kubectl does: `configmap/game-demo created`, `… configured`, `… unchanged`.
 * An object the server rejects is reported with its field errors; the rest still go; the
 * exit status is 1 if any failed.
 */
import {
  type ApiClient,
  isAlreadyExists,
  isConflict,
  isNotFound,
  type KubeObject,
} from "../../../libs/client/index.js";
import { describeApiError, namespaceFor, objectRef, openApi } from "../support/api-client.js";
import { DEFAULT_CLUSTER_DIR } from "../support/cluster-dir.js";
import { parseCommand, UsageError } from "../support/errors.js";
import { readManifest } from "../support/manifest.js";

const USAGE = "flotilla apply -f FILE|- [--dir .flotilla] [-n NAMESPACE]";
/** Update attempts of one object when others keep changing it. */
const CONFLICT_ATTEMPTS_MAX = 5;

/** What apply did to one object. */
export type ApplyOutcome = "created" | "configured" | "unchanged";

export async function runApply(argv: readonly string[]): Promise<number> {
  const args = parseCommand(
    argv,
    {
      values: { dir: DEFAULT_CLUSTER_DIR, filename: "", namespace: "" },
      aliases: { f: "filename", n: "namespace" },
    },
    USAGE,
  );
  if (args.positionals.length) throw new UsageError(`unexpected argument "${args.positionals[0]}"`, USAGE);
  const file = args.values["filename"]!;
  if (file === "") throw new UsageError("-f FILE is required (- for stdin)", USAGE);
  const dir = args.values["dir"]!;
  const objects = readManifest(file);
  const api = openApi(dir);
  let failed = 0;
  try {
    for (const { object } of objects) {
      try {
        const outcome = await applyOne(api, object, args.values["namespace"]!);
        console.log(`${objectRef(object)} ${outcome}`);
      } catch (err) {
        failed++;
        console.error(describeApiError(err, dir));
      }
    }
  } finally {
    api.close();
  }
  return failed > 0 ? 1 : 0;
}

/** Creates `desired`, or updates the stored object unless it already holds every field of `desired`. */
export async function applyOne(api: ApiClient, desired: KubeObject, nsFlag: string): Promise<ApplyOutcome> {
  const namespace = namespaceFor(desired.kind, desired.metadata.namespace, nsFlag);
  const client = api.resource<KubeObject>(desired.kind, namespace);
  const name = desired.metadata.name ?? "";
  const body: KubeObject = { ...desired, metadata: { ...desired.metadata } };
  if (namespace !== "") body.metadata.namespace = namespace;
  for (let attempt = 1; ; attempt++) {
    let stored: KubeObject;
    try {
      stored = await client.get(name);
    } catch (err) {
      if (!isNotFound(err)) throw err;
      try {
        await client.create(body);
        return "created";
      } catch (createErr) {
        // Someone created it between our get and create: update it instead.
        if (attempt < CONFLICT_ATTEMPTS_MAX && isAlreadyExists(createErr)) continue;
        throw createErr;
      }
    }
    if (holds(stored, body)) return "unchanged";
    const next: KubeObject = {
      ...body,
      metadata: { ...body.metadata, resourceVersion: stored.metadata.resourceVersion ?? "" },
    };
    try {
      await client.update(next);
      return "configured";
    } catch (err) {
      if (attempt < CONFLICT_ATTEMPTS_MAX && isConflict(err)) continue;
      throw err;
    }
  }
}

/**
 * Whether `stored` already says everything `desired` says: every top-level field but
 * apiVersion, kind and status, and metadata labels and annotations. Fields the server
 * defaulted are in `stored` only, so this is containment, not equality.
 */
export function holds(stored: KubeObject, desired: KubeObject): boolean {
  for (const [k, v] of Object.entries(desired)) {
    if (k === "apiVersion" || k === "kind" || k === "status" || k === "metadata") continue;
    if (!contains(stored[k], v)) return false;
  }
  for (const k of ["labels", "annotations"] as const) {
    const want = desired.metadata[k];
    if (want !== undefined && !contains(stored.metadata[k] ?? {}, want)) return false;
  }
  return true;
}

function contains(have: unknown, want: unknown): boolean {
  if (Array.isArray(want)) {
    if (!Array.isArray(have) || have.length !== want.length) return false;
    return want.every((w, i) => contains(have[i], w));
  }
  if (typeof want === "object" && want !== null) {
    if (typeof have !== "object" || have === null || Array.isArray(have)) return false;
    const h = have as Record<string, unknown>;
    return Object.entries(want as Record<string, unknown>).every(([k, w]) => contains(h[k], w));
  }
  return have === want;
}
