/**
 * Reads the objects of `-f FILE` for `apply` and `delete`: YAML or JSON, several documents
 * separated by `---`, a `kind: List` flattened into its items, `-` for stdin. Errors name the
 * file (and the document), so a person knows which one to fix.
 */
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";
import type { KubeObject } from "../../../libs/client/index.js";
import { CliError } from "./errors.js";

/** Bytes read from one file or stdin; a manifest is for people, not bulk data. */
export const MANIFEST_BYTES_MAX = 8 * 1024 * 1024;
/** Objects in one file, Lists flattened. */
export const MANIFEST_OBJECTS_MAX = 10_000;

/** One object from a manifest, with where it came from for messages. */
export interface ManifestObject {
  readonly object: KubeObject;
  /** "deploy.yaml (document 2)". */
  readonly source: string;
}

/** The text of FILE, or of stdin for "-". */
export function readManifestText(file: string): string {
  let buf: Buffer;
  try {
    buf = readFileSync(file === "-" ? 0 : file);
  } catch (cause) {
    throw new CliError(`cannot read ${file === "-" ? "stdin" : file}: ${(cause as Error).message}`, {
      cause,
    });
  }
  if (buf.length > MANIFEST_BYTES_MAX)
    throw new CliError(`${file} is larger than ${MANIFEST_BYTES_MAX} bytes; split it into several files`);
  return buf.toString("utf8");
}

/** The objects in `text` (named `file` in errors), in document order. */
export function parseManifest(text: string, file: string): ManifestObject[] {
  const name = file === "-" ? "stdin" : file;
  const docs = parseAllDocuments(text);
  const list = Array.isArray(docs) ? docs : [docs];
  const out: ManifestObject[] = [];
  list.forEach((doc, i) => {
    const where = list.length > 1 ? `${name} (document ${i + 1})` : name;
    const err = doc.errors[0];
    if (err !== undefined) throw new CliError(`${where} is not valid YAML or JSON: ${err.message}`);
    const value: unknown = doc.toJS({ maxAliasCount: 100 });
    if (value === null || value === undefined) return; // an empty document
    for (const obj of flatten(value, where)) {
      if (out.length >= MANIFEST_OBJECTS_MAX)
        throw new CliError(`${name} holds more than ${MANIFEST_OBJECTS_MAX} objects; split it`);
      out.push({ object: obj, source: where });
    }
  });
  if (out.length === 0) throw new CliError(`no objects found in ${name}`);
  return out;
}

/** The objects of `-f FILE`. */
export function readManifest(file: string): ManifestObject[] {
  return parseManifest(readManifestText(file), file);
}

function flatten(value: unknown, where: string): KubeObject[] {
  if (!isRecord(value))
    throw new CliError(`${where} is not an object (it must have apiVersion, kind and metadata)`);
  if (value["kind"] === "List" || (typeof value["kind"] === "string" && value["kind"].endsWith("List"))) {
    const items = value["items"];
    if (!Array.isArray(items)) throw new CliError(`${where}: a ${String(value["kind"])} needs an items list`);
    return items.flatMap((item: unknown, j: number) => flatten(item, `${where} items[${j}]`));
  }
  if (typeof value["kind"] !== "string" || value["kind"] === "")
    throw new CliError(`${where}: the object has no kind`);
  if (typeof value["apiVersion"] !== "string" || value["apiVersion"] === "")
    throw new CliError(`${where}: the ${value["kind"]} has no apiVersion`);
  const meta = value["metadata"];
  if (!isRecord(meta) || typeof meta["name"] !== "string" || meta["name"] === "")
    throw new CliError(`${where}: the ${value["kind"]} has no metadata.name`);
  return [value as unknown as KubeObject];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
