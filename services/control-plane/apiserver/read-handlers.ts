/**
 * Get and List. Reads are linearizable unless the client asks for a cached one, as in
 * Kubernetes: resourceVersion "" reads what a quorum has committed (ReadIndex, then this
 * master's replica); "0" takes whatever the watch cache holds; "N" waits (bounded) until
 * the cache has seen N. A List with a limit or "Exact" reads the store at one revision so
 * its pages form one consistent snapshot.
 */
import {
  type ApiObject,
  type FieldError,
  type FieldSelector,
  type KindInfo,
  type LabelSelector,
  listKind,
  parseFieldSelector,
  parseLabelSelector,
  registryPrefix,
} from "../../../libs/api/index.js";
import { ApiError } from "./api-error.js";
import { decodeContinue, encodeContinue } from "./continue-token.js";
import {
  type CachedObjectView,
  type HandlerContext,
  keyOf,
  kindOf,
  namespaceForObject,
  notFound,
  parseResourceVersion,
} from "./handler-context.js";
import { decodeStored, prefixEndKey } from "./registry-store.js";

export interface GetParams {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly resourceVersion: string;
}

export async function getObject(ctx: HandlerContext, p: GetParams): Promise<ApiObject> {
  const info = kindOf(p.kind);
  const key = keyOf(info, namespaceForObject(info, p.namespace), p.name);
  if (p.resourceVersion === "") {
    const found = await ctx.store.readLinearizable(key);
    if (found === undefined) throw notFound(info, p.name);
    return found.object;
  }
  await waitForCache(ctx, p.resourceVersion);
  const cached = ctx.cache.get(key);
  if (cached === undefined) throw notFound(info, p.name);
  return cached.object;
}

export interface ListParams {
  readonly kind: string;
  readonly namespace: string;
  readonly labelSelector: string;
  readonly fieldSelector: string;
  readonly limit: number;
  readonly continueToken: string;
  readonly resourceVersion: string;
  readonly resourceVersionMatch: string;
}

export interface ListResult {
  readonly kind: string;
  readonly items: readonly ApiObject[];
  readonly resourceVersion: string;
  readonly continueToken: string;
  readonly remainingItemCount: number;
}

/** What filters a list: both selectors; `empty` when neither filters anything. */
interface Filter {
  readonly empty: boolean;
  matches(obj: ApiObject): boolean;
}

const COMPACTED_CONTINUE =
  "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.";

export async function listObjects(ctx: HandlerContext, p: ListParams): Promise<ListResult> {
  const info = kindOf(p.kind);
  const filter = filterOf(info, p.labelSelector, p.fieldSelector);
  if (!Number.isSafeInteger(p.limit) || p.limit < 0)
    throw new ApiError("BadRequest", `invalid limit ${p.limit}: must be 0 (no limit) or more`);
  const match = p.resourceVersionMatch;
  if (match !== "" && match !== "NotOlderThan" && match !== "Exact")
    throw new ApiError(
      "BadRequest",
      `unsupported resourceVersionMatch "${match}": supported values: "Exact", "NotOlderThan"`,
    );
  const prefix = registryPrefix(info, info.namespaced && p.namespace !== "" ? p.namespace : undefined);

  if (p.continueToken !== "") {
    if (p.resourceVersion !== "" || match !== "")
      throw new ApiError("BadRequest", "specifying resourceVersion is not allowed when using continue");
    const point = decodeContinue(p.continueToken);
    return storePage(
      ctx,
      info,
      prefix,
      prefix + point.start,
      point.revision,
      p.limit,
      filter,
      COMPACTED_CONTINUE,
    );
  }
  if (match !== "" && p.resourceVersion === "")
    throw new ApiError(
      "BadRequest",
      `resourceVersionMatch "${match}" is forbidden unless resourceVersion is provided`,
    );
  if (match === "Exact") {
    if (p.resourceVersion === "0")
      throw new ApiError("BadRequest", 'resourceVersionMatch "Exact" is forbidden for resourceVersion "0"');
    const rv = parseResourceVersion(p.resourceVersion);
    return storePage(
      ctx,
      info,
      prefix,
      prefix,
      rv,
      p.limit,
      filter,
      "The resourceVersion for the provided list is too old.",
    );
  }
  if (p.resourceVersion === "0" || (p.resourceVersion !== "" && p.limit === 0)) {
    // A cached list: every match at the cache's revision, in one page (the limit is ignored, as Kubernetes' watch cache does).
    await waitForCache(ctx, p.resourceVersion);
    const { items, revision } = ctx.cache.list(prefix);
    return {
      kind: listKind(info),
      items: items.filter((c: CachedObjectView) => filter.matches(c.object)).map((c) => c.object),
      resourceVersion: String(revision),
      continueToken: "",
      remainingItemCount: 0,
    };
  }
  if (p.resourceVersion !== "") parseResourceVersion(p.resourceVersion);
  // Latest: a quorum read, then a paged read at the revision this master has then.
  await ctx.store.sync();
  return storePage(ctx, info, prefix, prefix, ctx.store.revision, p.limit, filter, COMPACTED_CONTINUE);
}

/**
 * One page read at `revision`, from `start` on: scans in chunks until `limit` objects
 * match or the prefix ends; a page with selectors stops short after `listScanKeysMax`
 * keys (its continue token resumes where the scan stopped).
 */
function storePage(
  ctx: HandlerContext,
  info: KindInfo,
  prefix: string,
  start: string,
  revision: number,
  limit: number,
  filter: Filter,
  compactedMessage: string,
): ListResult {
  const end = prefixEndKey(prefix);
  const items: ApiObject[] = [];
  const scanMax = Math.max(limit, ctx.listScanKeysMax);
  let next = start;
  let scanned = 0;
  let lastKey: string | undefined;
  let more = false;
  let remaining = 0;
  for (;;) {
    const want =
      limit === 0
        ? 0
        : filter.empty
          ? limit - items.length
          : Math.min(scanMax - scanned, Math.max(limit, 500));
    const chunk = readChunk(ctx, next, end, revision, want, compactedMessage);
    let used = 0;
    for (const kv of chunk.kvs) {
      if (limit > 0 && items.length >= limit) break;
      const obj = decodeStored(kv);
      used++;
      scanned++;
      lastKey = obj.key;
      if (filter.matches(obj.object)) items.push(obj.object);
    }
    more = used < chunk.kvs.length || chunk.more;
    remaining = chunk.count - used;
    if (!more || (limit > 0 && items.length >= limit) || scanned >= scanMax || lastKey === undefined) break;
    next = `${lastKey}\u0000`;
  }
  const continueToken =
    more && lastKey !== undefined
      ? encodeContinue({ revision, start: `${lastKey}\u0000`.slice(prefix.length) })
      : "";
  return {
    kind: listKind(info),
    items,
    resourceVersion: String(revision),
    continueToken,
    remainingItemCount: continueToken !== "" && filter.empty ? remaining : 0,
  };
}

function readChunk(
  ctx: HandlerContext,
  start: string,
  end: string,
  revision: number,
  limit: number,
  compactedMessage: string,
): ReturnType<HandlerContext["store"]["rangeChunk"]> {
  try {
    return ctx.store.rangeChunk(start, end, revision, limit);
  } catch (e) {
    if (e instanceof ApiError && e.reason === "Expired")
      throw new ApiError("Expired", compactedMessage, [], { cause: e });
    throw e;
  }
}

function filterOf(info: KindInfo, labelText: string, fieldText: string): Filter {
  const labels = parseLabelSelector(labelText);
  if (!labels.ok) throw badSelector("label", labelText, labels.errors);
  const fields = parseFieldSelector(fieldText, info);
  if (!fields.ok) throw badSelector("field", fieldText, fields.errors);
  const l: LabelSelector = labels.value;
  const f: FieldSelector = fields.value;
  return {
    empty: l.empty && f.empty,
    matches: (obj) => l.matches(obj.metadata.labels) && f.matches(obj),
  };
}

function badSelector(which: string, text: string, errors: readonly FieldError[]): ApiError {
  const detail = errors.map((e) => e.detail).join("; ");
  return new ApiError("BadRequest", `unable to parse ${which} selector "${text}": ${detail}`, errors);
}

/** Waits until the watch cache has seen `rv` ("" and "0": no wait); Timeout past the bound. */
async function waitForCache(ctx: HandlerContext, rv: string): Promise<void> {
  if (rv === "" || rv === "0") return;
  const revision = parseResourceVersion(rv);
  if (ctx.cache.revision >= revision) return;
  try {
    await ctx.cache.waitUntilFresh(revision, ctx.cacheWaitMs);
  } catch (e) {
    if (e instanceof ApiError) throw e;
    throw new ApiError(
      "Timeout",
      `Too large resource version: ${revision}, current: ${ctx.cache.revision}`,
      [],
      { cause: e },
    );
  }
}
