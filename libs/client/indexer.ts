/**
 * client-go's ThreadSafeStore with indexers: the informer's cache, keyed by
 * "namespace/name", with secondary indexes kept up to date on every change. JavaScript has
 * one thread, so "safe" here means every read returns a fresh array (never a live view)
 * and every stored object is frozen, so no caller can change what others see.
 */
import { deepFreeze, type KubeObject, type LabelMatcher, namespacedKey, objectKey } from "./object.js";

/** The values an object is indexed under (none = not in the index). */
export type IndexFunc<T extends KubeObject> = (obj: T) => readonly string[];

/** Index of objects by metadata.namespace. */
export const NAMESPACE_INDEX = "namespace";
/** Index of objects by spec.nodeName (pods by the node they are bound to). */
export const NODE_NAME_INDEX = "spec.nodeName";
/** Index of objects by the uid of each owner in metadata.ownerReferences. */
export const OWNER_UID_INDEX = "ownerUid";

export function indexByNamespace(obj: KubeObject): readonly string[] {
  return [obj.metadata.namespace ?? ""];
}

export function indexByNodeName(obj: KubeObject): readonly string[] {
  const spec = obj["spec"];
  const nodeName =
    typeof spec === "object" && spec !== null ? (spec as { nodeName?: unknown }).nodeName : undefined;
  return typeof nodeName === "string" && nodeName !== "" ? [nodeName] : [];
}

export function indexByOwnerUid(obj: KubeObject): readonly string[] {
  return (obj.metadata.ownerReferences ?? [])
    .map((r) => r.uid)
    .filter((uid) => typeof uid === "string" && uid !== "");
}

/** The three built-in indexes. */
export function defaultIndexers<T extends KubeObject>(): Record<string, IndexFunc<T>> {
  return {
    [NAMESPACE_INDEX]: indexByNamespace,
    [NODE_NAME_INDEX]: indexByNodeName,
    [OWNER_UID_INDEX]: indexByOwnerUid,
  };
}

/** Unknown index name: a programming error. */
export class UnknownIndexError extends Error {
  override readonly name = "UnknownIndexError";
}

export class Indexer<T extends KubeObject> {
  private readonly items = new Map<string, T>();
  private readonly indexers = new Map<string, IndexFunc<T>>();
  /** index name -> value -> keys. Invariant: holds exactly the values indexers give for the stored items. */
  private readonly indices = new Map<string, Map<string, Set<string>>>();

  constructor(indexers: Record<string, IndexFunc<T>> = defaultIndexers<T>()) {
    for (const [name, fn] of Object.entries(indexers)) {
      this.indexers.set(name, fn);
      this.indices.set(name, new Map());
    }
  }

  /** Adds an index; existing objects are indexed at once. */
  addIndexer(name: string, fn: IndexFunc<T>): void {
    if (this.indexers.has(name)) throw new UnknownIndexError(`index ${name} already exists`);
    this.indexers.set(name, fn);
    const index = new Map<string, Set<string>>();
    this.indices.set(name, index);
    for (const [key, obj] of this.items) for (const v of fn(obj)) addTo(index, v, key);
  }

  /** Inserts or replaces; the object is frozen. Returns the previous object. */
  upsert(obj: T): T | undefined {
    const key = objectKey(obj);
    const old = this.items.get(key);
    deepFreeze(obj);
    if (old !== undefined) this.unindex(key, old);
    this.items.set(key, obj);
    this.index(key, obj);
    return old;
  }

  /** Removes by key; returns what was there. */
  deleteKey(key: string): T | undefined {
    const old = this.items.get(key);
    if (old === undefined) return undefined;
    this.unindex(key, old);
    this.items.delete(key);
    return old;
  }

  getByKey(key: string): T | undefined {
    return this.items.get(key);
  }

  get(namespace: string, name: string): T | undefined {
    return this.items.get(namespacedKey(namespace, name));
  }

  has(key: string): boolean {
    return this.items.has(key);
  }

  get size(): number {
    return this.items.size;
  }

  keys(): string[] {
    return [...this.items.keys()];
  }

  /** Every object (matching `selector` when given), as a new array. */
  list(selector?: LabelMatcher): T[] {
    const out: T[] = [];
    for (const obj of this.items.values())
      if (selector === undefined || selector.matches(obj.metadata.labels)) out.push(obj);
    return out;
  }

  /** Objects whose index `indexName` holds `value`. */
  byIndex(indexName: string, value: string): T[] {
    const keys = this.indexOf(indexName).get(value);
    if (keys === undefined) return [];
    const out: T[] = [];
    for (const k of keys) {
      const obj = this.items.get(k);
      if (obj !== undefined) out.push(obj);
    }
    return out;
  }

  /** Keys whose index `indexName` holds `value`. */
  indexKeys(indexName: string, value: string): string[] {
    return [...(this.indexOf(indexName).get(value) ?? [])];
  }

  /** The values present in an index. */
  indexValues(indexName: string): string[] {
    return [...this.indexOf(indexName).keys()];
  }

  private indexOf(indexName: string): Map<string, Set<string>> {
    const index = this.indices.get(indexName);
    if (index === undefined) throw new UnknownIndexError(`no index named ${indexName}`);
    return index;
  }

  private index(key: string, obj: T): void {
    for (const [name, fn] of this.indexers) {
      const index = this.indices.get(name) as Map<string, Set<string>>;
      for (const v of fn(obj)) addTo(index, v, key);
    }
  }

  private unindex(key: string, obj: T): void {
    for (const [name, fn] of this.indexers) {
      const index = this.indices.get(name) as Map<string, Set<string>>;
      for (const v of fn(obj)) {
        const keys = index.get(v);
        keys?.delete(key);
        if (keys?.size === 0) index.delete(v);
      }
    }
  }
}

function addTo(index: Map<string, Set<string>>, value: string, key: string): void {
  let keys = index.get(value);
  if (keys === undefined) {
    keys = new Set();
    index.set(value, keys);
  }
  keys.add(key);
}

/** Read-only access to an informer's cache: what reconcile loops use (client-go's Lister). */
export class Lister<T extends KubeObject> {
  constructor(
    private readonly indexer: Indexer<T>,
    /** "" = all namespaces. */
    private readonly namespace = "",
  ) {}

  /** The same cache seen through one namespace. */
  inNamespace(namespace: string): Lister<T> {
    return new Lister<T>(this.indexer, namespace);
  }

  /** Every cached object (of this namespace, when bound) matching `selector`. */
  list(selector?: LabelMatcher): T[] {
    const all =
      this.namespace === "" ? this.indexer.list() : this.indexer.byIndex(NAMESPACE_INDEX, this.namespace);
    return selector === undefined ? all : all.filter((o) => selector.matches(o.metadata.labels));
  }

  /** One object; `namespace` "" for cluster-scoped kinds. */
  get(namespace: string, name: string): T | undefined {
    return this.indexer.get(namespace, name);
  }

  byIndex(indexName: string, value: string): T[] {
    return this.indexer.byIndex(indexName, value);
  }
}
