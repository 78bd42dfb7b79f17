/**
 * `flotilla get KIND [NAME]`: objects as a kubectl-like table, or as JSON/YAML (one object
 * for NAME, a `v1 List` otherwise); `--watch` prints the rows, then a row per change with
 * its event type, until Ctrl-C.
 */
import { stringify } from "yaml";
import { ApiStatusError, type KubeObject, type ResourceClient } from "../../../libs/client/index.js";
import { describeApiError, kindInfoOf, namespaceFor, openApi } from "../support/api-client.js";
import { DEFAULT_CLUSTER_DIR } from "../support/cluster-dir.js";
import { parseCommand, UsageError, usageCheck } from "../support/errors.js";
import { formatTable } from "../support/output.js";
import { columnWidths, padRow, type TableShape, tableHeader, tableRow } from "../support/resource-table.js";
import { choiceFlag } from "./flags.js";

const USAGE =
  "flotilla get KIND [NAME] [--dir .flotilla] [-n NAMESPACE | -A] [-l SELECTOR] [--field-selector S] " +
  "[-o table|json|yaml] [--watch]";
const GET_FORMATS = ["table", "json", "yaml"] as const;
type GetFormat = (typeof GET_FORMATS)[number];

export async function runGet(argv: readonly string[]): Promise<number> {
  const args = parseCommand(
    argv,
    {
      values: {
        dir: DEFAULT_CLUSTER_DIR,
        namespace: "",
        selector: "",
        "field-selector": "",
        output: "table",
      },
      switches: ["all-namespaces", "watch"],
      aliases: { n: "namespace", A: "all-namespaces", l: "selector", o: "output", w: "watch" },
    },
    USAGE,
  );
  const [kind, name, extra] = args.positionals;
  if (kind === undefined) throw new UsageError("KIND is required (pods, deployments, configmaps, …)", USAGE);
  if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}"`, USAGE);
  const output = usageCheck(USAGE, () => choiceFlag(args.values, "output", GET_FORMATS)) as GetFormat;
  const all = args.switches.has("all-namespaces");
  if (all && args.given.has("namespace")) throw new UsageError("-n and -A do not go together", USAGE);
  if (name !== undefined && all) throw new UsageError("a NAME needs a namespace, not -A", USAGE);
  const dir = args.values["dir"]!;
  const info = kindInfoOf(kind);
  const namespace = all ? "" : namespaceFor(kind, undefined, args.values["namespace"]!);
  const shape: TableShape = {
    kind,
    allNamespaces: all && info?.namespaced !== false,
    watch: args.switches.has("watch"),
  };
  const api = openApi(dir);
  try {
    const client = api.resource<KubeObject>(kind, namespace);
    const selectors = {
      labelSelector: args.values["selector"]!,
      fieldSelector: args.values["field-selector"]!,
    };
    if (name !== undefined) {
      const fieldSelector = [selectors.fieldSelector, `metadata.name=${name}`].filter(Boolean).join(",");
      if (shape.watch) return await watch(client, shape, output, { ...selectors, fieldSelector });
      const obj = await client.get(name);
      print(output, obj, [obj], shape);
      return 0;
    }
    if (shape.watch) return await watch(client, shape, output, selectors);
    const list = await client.listAll(selectors);
    if (output === "table" && list.items.length === 0) {
      const where = info?.namespaced === false || all ? "" : ` in ${namespace} namespace`;
      console.error(`No resources found${where}.`);
      return 0;
    }
    const asList = {
      apiVersion: "v1",
      kind: "List",
      metadata: { resourceVersion: list.resourceVersion },
      items: list.items,
    };
    print(output, asList, list.items, shape);
    return 0;
  } catch (err) {
    if (!(err instanceof ApiStatusError)) throw err;
    console.error(describeApiError(err, dir));
    return 1;
  } finally {
    api.close();
  }
}

function print(output: GetFormat, doc: unknown, items: readonly KubeObject[], shape: TableShape): void {
  if (output === "json") console.log(JSON.stringify(doc, null, 2));
  else if (output === "yaml") process.stdout.write(stringify(doc));
  else {
    const now = Date.now();
    console.log(
      formatTable(
        tableHeader(shape),
        items.map((o) => tableRow(shape, o, now)),
      ),
    );
  }
}

/**
 * Lists, prints what is there, then watches from the list's resourceVersion and prints one
 * row (or one JSON/YAML event) per change until SIGINT or the stream ends.
 */
async function watch(
  client: ResourceClient<KubeObject>,
  shape: TableShape,
  output: GetFormat,
  selectors: { labelSelector: string; fieldSelector: string },
): Promise<number> {
  const abort = new AbortController();
  const onSigint = (): void => abort.abort();
  process.once("SIGINT", onSigint);
  try {
    const list = await client.listAll(selectors);
    const now = Date.now();
    const header = tableHeader(shape);
    const rows = list.items.map((o) => tableRow(shape, o, now));
    // Room for the longest event type and for names a little longer than today's.
    const widths = columnWidths([header, ["MODIFIED", "x".repeat(20)], ...rows]);
    const emit = (type: string, obj: KubeObject, rowWidths: readonly number[]): void => {
      if (output === "json") console.log(JSON.stringify({ type, object: obj }));
      else if (output === "yaml") process.stdout.write(`---\n${stringify({ type, object: obj })}`);
      else console.log(padRow(tableRow(shape, obj, Date.now(), type), rowWidths));
    };
    if (output === "table") console.log(padRow(header, widths));
    for (const obj of list.items) emit("ADDED", obj, widths);
    if (abort.signal.aborted) return 0;
    const events = client.watch({
      ...selectors,
      resourceVersion: list.resourceVersion,
      signal: abort.signal,
    });
    abort.signal.addEventListener("abort", () => events.close(), { once: true });
    try {
      for await (const ev of events) {
        if (ev.type === "BOOKMARK") continue;
        emit(ev.type, ev.object, widths);
      }
    } catch (err) {
      if (abort.signal.aborted) return 0;
      throw err;
    }
    return 0;
  } catch (err) {
    if (abort.signal.aborted) return 0;
    throw err;
  } finally {
    process.off("SIGINT", onSigint);
  }
}
