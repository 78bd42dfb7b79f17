/**
 * `flotilla delete KIND NAME…` or `flotilla delete -f FILE`: deletes each object and says
 * `configmap "game-demo" deleted`; one that is not there is reported on stderr
 * (`Error from server (NotFound): …`), the others still go, and the exit status is 1.
 */
import type { KubeObject } from "../../../libs/client/index.js";
import { describeApiError, kindRef, namespaceFor, openApi } from "../support/api-client.js";
import { DEFAULT_CLUSTER_DIR } from "../support/cluster-dir.js";
import { parseCommand, UsageError } from "../support/errors.js";
import { readManifest } from "../support/manifest.js";

const USAGE =
  "flotilla delete KIND NAME... [--dir .flotilla] [-n NAMESPACE] | flotilla delete -f FILE|- [--dir .flotilla]";

interface Target {
  readonly kind: string;
  readonly name: string;
  readonly namespace: string;
}

export async function runDelete(argv: readonly string[]): Promise<number> {
  const args = parseCommand(
    argv,
    {
      values: { dir: DEFAULT_CLUSTER_DIR, filename: "", namespace: "" },
      aliases: { f: "filename", n: "namespace" },
    },
    USAGE,
  );
  const dir = args.values["dir"]!;
  const nsFlag = args.values["namespace"]!;
  const file = args.values["filename"]!;
  let targets: Target[];
  if (file !== "") {
    if (args.positionals.length) throw new UsageError("give either -f FILE or KIND NAME…, not both", USAGE);
    targets = readManifest(file).map(({ object }) => ({
      kind: object.kind,
      name: object.metadata.name ?? "",
      namespace: namespaceFor(object.kind, object.metadata.namespace, nsFlag),
    }));
  } else {
    const [kind, ...names] = args.positionals;
    if (kind === undefined || names.length === 0)
      throw new UsageError("KIND and at least one NAME are required", USAGE);
    targets = names.map((name) => ({ kind, name, namespace: namespaceFor(kind, undefined, nsFlag) }));
  }
  const api = openApi(dir);
  let failed = 0;
  try {
    for (const t of targets) {
      try {
        await api.resource<KubeObject>(t.kind, t.namespace).delete(t.name);
        console.log(`${kindRef(t.kind)} "${t.name}" deleted`);
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
