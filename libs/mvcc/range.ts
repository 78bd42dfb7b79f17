/**
 * Range with etcd's semantics (etcdserver/txn.Range): count over the whole range at the read
 * revision, then min/max filters, sort, limit with `more`, keys_only, count_only.
 */
import { compareBytes, keySpan } from "./bytes.js";
import type { KeyRecord } from "./key-history.js";
import type { KeyIndex } from "./key-index.js";
import type { KeyValue, RangeRequest, RangeResult, SortOrder, SortTarget } from "./types.js";

const EMPTY = new Uint8Array(0);

function hasFilters(req: RangeRequest): boolean {
  return (
    (req.minModRevision ?? 0) !== 0 ||
    (req.maxModRevision ?? 0) !== 0 ||
    (req.minCreateRevision ?? 0) !== 0 ||
    (req.maxCreateRevision ?? 0) !== 0
  );
}

function passesFilters(req: RangeRequest, kv: KeyValue): boolean {
  const minMod = req.minModRevision ?? 0;
  const maxMod = req.maxModRevision ?? 0;
  const minCreate = req.minCreateRevision ?? 0;
  const maxCreate = req.maxCreateRevision ?? 0;
  if (minMod !== 0 && kv.modRevision < minMod) return false;
  if (maxMod !== 0 && kv.modRevision > maxMod) return false;
  if (minCreate !== 0 && kv.createRevision < minCreate) return false;
  if (maxCreate !== 0 && kv.createRevision > maxCreate) return false;
  return true;
}

function comparatorFor(target: SortTarget): (a: KeyValue, b: KeyValue) => number {
  switch (target) {
    case "key":
      return (a, b) => compareBytes(a.key, b.key);
    case "version":
      return (a, b) => a.version - b.version;
    case "create":
      return (a, b) => a.createRevision - b.createRevision;
    case "mod":
      return (a, b) => a.modRevision - b.modRevision;
    case "value":
      return (a, b) => compareBytes(a.value, b.value);
  }
}

/** etcd sorts ascending when a target other than KEY is given with order NONE. */
function effectiveOrder(order: SortOrder, target: SortTarget): SortOrder {
  return order === "none" && target !== "key" ? "ascend" : order;
}

/**
 * Reads a range at revision `rev`. The caller has validated the request and checked `rev`
 * against the compact and current revisions.
 */
export function rangeAt(index: KeyIndex, req: RangeRequest, rev: number): RangeResult {
  const target = req.sortTarget ?? "key";
  const order = effectiveOrder(req.sortOrder ?? "none", target);
  const limit = req.limit !== undefined && req.limit > 0 ? req.limit : 0;
  const countOnly = req.countOnly === true;
  const filtered = hasFilters(req);
  // Keys come out of the index in key order, so an ascending key sort needs no work.
  const mustSort = order !== "none" && !(order === "ascend" && target === "key");
  // Without sort or filter, one kv past the limit is enough to know `more`.
  const collectMax = countOnly ? 0 : mustSort || filtered || limit === 0 ? Infinity : limit + 1;

  let count = 0;
  let kvs: KeyRecord[] = [];
  index.forSpan(keySpan(req.key, req.rangeEnd), (h) => {
    const r = h.at(rev);
    if (r === undefined) return true;
    count++;
    if (kvs.length < collectMax) kvs.push(r);
    return true;
  });
  if (countOnly) return { kvs: [], more: false, count };
  if (filtered) kvs = kvs.filter((kv) => passesFilters(req, kv));
  if (mustSort) {
    const cmp = comparatorFor(target);
    kvs.sort(order === "descend" ? (a, b) => cmp(b, a) : cmp);
  }
  let more = false;
  if (limit > 0 && kvs.length > limit) {
    kvs.length = limit;
    more = true;
  }
  const out: readonly KeyValue[] =
    req.keysOnly === true ? kvs.map((kv) => ({ ...stripSub(kv), value: EMPTY })) : kvs;
  return { kvs: out, more, count };
}

function stripSub(r: KeyRecord): KeyValue {
  return {
    key: r.key,
    createRevision: r.createRevision,
    modRevision: r.modRevision,
    version: r.version,
    value: r.value,
    lease: r.lease,
  };
}
