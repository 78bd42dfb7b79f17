/**
 * Every kind's cache, and the one place store key-values become cached objects and events:
 * the key names the kind, namespace and name (libs/api's registry layout), the value is
 * decoded once, and a value that does not decode is skipped and counted, never a crash.
 */
import { type KindInfo, parseRegistryKey } from "../../../../libs/api/index.js";
import type { KeyValue } from "../../../../libs/mvcc/index.js";
import { type CacheEntry, decodeEntry } from "./cached-object.js";
import { type CacheEvent, KindCache } from "./kind-cache.js";

export class KindSet {
  private readonly kinds = new Map<string, KindCache>();
  /** Store values under the registry that did not decode (or whose key is outside the layout). */
  undecodable = 0;

  constructor(
    private readonly ringEventsPerKind: number,
    /** Every kind's ring holds every event above this revision. */
    readonly startRevision: number,
  ) {}

  kind(info: KindInfo): KindCache {
    let k = this.kinds.get(info.resource);
    if (k === undefined) {
      k = new KindCache(info, this.ringEventsPerKind, this.startRevision);
      this.kinds.set(info.resource, k);
    }
    return k;
  }

  get(key: string): CacheEntry | undefined {
    const parsed = parseRegistryKey(key);
    return parsed === undefined ? undefined : this.kinds.get(parsed.info.resource)?.get(key);
  }

  /** Current objects under a registry prefix (of one kind, one namespace, or the whole registry), in key order. */
  list(prefix: string): CacheEntry[] {
    const items: CacheEntry[] = [];
    const kinds = [...this.kinds.values()]
      .filter((k) => prefix.startsWith(k.info.registryPrefix) || k.info.registryPrefix.startsWith(prefix))
      .sort((a, b) => (a.info.registryPrefix < b.info.registryPrefix ? -1 : 1));
    for (const k of kinds) items.push(...k.list(prefix));
    return items;
  }

  /** The initial fill: live key-values as of the start revision, without events. */
  load(kvs: readonly KeyValue[]): void {
    for (const kv of kvs) {
      const key = keyText(kv.key);
      const parsed = parseRegistryKey(key);
      const entry = parsed && decodeEntry(key, parsed.info, parsed.namespace, kv.value, kv.modRevision);
      if (parsed === undefined || entry === undefined || typeof entry === "string") this.undecodable++;
      else this.kind(parsed.info).load(entry);
    }
  }

  /** One store change into its kind's state and ring; returns the kind, or undefined when skipped. */
  apply(type: "put" | "delete", kv: KeyValue): KindCache | undefined {
    const key = keyText(kv.key);
    const parsed = parseRegistryKey(key);
    if (parsed === undefined) {
      if (type === "put") this.undecodable++;
      return undefined;
    }
    const kind = this.kind(parsed.info);
    const prev = kind.get(key);
    const base = { revision: kv.modRevision, key, namespace: parsed.namespace, prev };
    let event: CacheEvent;
    if (type === "delete") {
      if (prev === undefined) return undefined;
      event = { ...base, cur: undefined };
    } else {
      const cur = decodeEntry(key, parsed.info, parsed.namespace, kv.value, kv.modRevision);
      if (typeof cur === "string") {
        // Skipped and counted; an object that no longer decodes is gone for watchers and lists.
        this.undecodable++;
        if (prev === undefined) return undefined;
        event = { ...base, cur: undefined };
      } else {
        event = { ...base, cur };
      }
    }
    kind.apply(event);
    return kind;
  }
}

function keyText(key: Uint8Array): string {
  return Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString("utf8");
}
