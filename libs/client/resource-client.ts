/**
 * A typed client of one resource, shaped after client-go's typed clients
 * (`clientset.CoreV1().Pods(ns)`): objects go out and come back as `T`, encoded as JSON.
 */
import {
  decodeObject,
  encodeObject,
  type KubeObject,
  type WatchEvent,
  type WatchEventType,
} from "./object.js";
import type { CallOptions, RawWatch, ResourceApi } from "./resource-api.js";

export interface ListOptions extends CallOptions {
  /** "app=web,tier!=db,env in (a,b)". */
  readonly labelSelector?: string;
  /** "metadata.name=x,spec.nodeName=node-1". */
  readonly fieldSelector?: string;
  /** Page size; 0 = everything at once. */
  readonly limit?: number;
  /** The previous page's `continue`. */
  readonly continue?: string;
  /** "" = latest (linearizable), "0" = any (watch cache), "N" = not older than N. */
  readonly resourceVersion?: string;
  /** "" / "NotOlderThan", or "Exact" (the store as it was at resourceVersion). */
  readonly resourceVersionMatch?: "" | "NotOlderThan" | "Exact";
}

/** One page of objects. */
export interface ObjectList<T extends KubeObject> {
  readonly items: T[];
  readonly resourceVersion: string;
  /** Non-empty when more objects match: pass it back as `continue`. */
  readonly continue: string;
  readonly remainingItemCount: number;
}

export interface WatchOptions {
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  /** "" or "0": an ADDED per existing object first; "N": every change after N. */
  readonly resourceVersion?: string;
  /** Ask for BOOKMARK events. @default false */
  readonly allowBookmarks?: boolean;
  readonly signal?: AbortSignal;
}

export interface DeleteOptions extends CallOptions {
  /** Delete only if these still hold; otherwise Conflict. */
  readonly preconditions?: { readonly uid?: string; readonly resourceVersion?: string };
}

/**
 * A watch as typed events. Iteration ends when the server ends the stream and throws an
 * `ApiStatusError` when it fails: `isExpired(err)` (OUT_OF_RANGE) means the
 * resourceVersion was compacted and the caller must relist; anything else means re-watch
 * from the last resourceVersion seen.
 */
export interface ResourceWatch<T extends KubeObject> extends AsyncIterable<WatchEvent<T>> {
  close(): void;
}

const EVENT_TYPES: ReadonlySet<string> = new Set(["ADDED", "MODIFIED", "DELETED", "BOOKMARK"]);

export class ResourceClient<T extends KubeObject> {
  constructor(
    readonly api: ResourceApi,
    /** Kind, plural resource or short name, as the server resolves it. */
    readonly kind: string,
    /** "" = all namespaces on list/watch, the object's own (or "default") on writes. */
    readonly namespace = "",
  ) {}

  /** The same resource bound to `namespace`. */
  inNamespace(namespace: string): ResourceClient<T> {
    return new ResourceClient<T>(this.api, this.kind, namespace);
  }

  async create(obj: T, options?: CallOptions): Promise<T> {
    const req = { kind: this.kind, namespace: this.namespaceOf(obj), object: encodeObject(obj) };
    return decodeObject<T>(await this.api.create(req, options));
  }

  async get(name: string, options: CallOptions & { resourceVersion?: string } = {}): Promise<T> {
    const req = {
      kind: this.kind,
      namespace: this.namespace,
      name,
      resource_version: options.resourceVersion ?? "",
    };
    return decodeObject<T>(await this.api.get(req, options));
  }

  async list(options: ListOptions = {}): Promise<ObjectList<T>> {
    const page = await this.api.list(
      {
        kind: this.kind,
        namespace: this.namespace,
        label_selector: options.labelSelector ?? "",
        field_selector: options.fieldSelector ?? "",
        limit: options.limit ?? 0,
        continue: options.continue ?? "",
        resource_version: options.resourceVersion ?? "",
        resource_version_match: options.resourceVersionMatch ?? "",
      },
      options,
    );
    return {
      items: page.items.map((b) => decodeObject<T>(b)),
      resourceVersion: page.resourceVersion,
      continue: page.continue,
      remainingItemCount: page.remainingItemCount,
    };
  }

  /**
   * Every matching object, following continue tokens page by page (each page of `limit`,
   * default 500). All pages are read at the first page's resourceVersion, which is returned.
   * `maxPages` bounds the loop. @throws ApiStatusError Expired when a token was compacted mid-way.
   */
  async listAll(options: Omit<ListOptions, "continue"> & { maxPages?: number } = {}): Promise<ObjectList<T>> {
    const items: T[] = [];
    const maxPages = options.maxPages ?? 100_000;
    let page = await this.list({ ...options, limit: options.limit ?? 500 });
    const resourceVersion = page.resourceVersion;
    items.push(...page.items);
    for (let n = 1; page.continue !== ""; n++) {
      if (n >= maxPages) throw new RangeError(`listAll stopped after ${maxPages} pages`);
      page = await this.list({ ...options, limit: options.limit ?? 500, continue: page.continue });
      items.push(...page.items);
    }
    return { items, resourceVersion, continue: "", remainingItemCount: 0 };
  }

  /** Replaces metadata and spec; a set metadata.resourceVersion must match (else Conflict). */
  async update(obj: T, options?: CallOptions): Promise<T> {
    const req = { kind: this.kind, namespace: this.namespaceOf(obj), object: encodeObject(obj) };
    return decodeObject<T>(await this.api.update(req, options));
  }

  /** Replaces status only (the status subresource). */
  async updateStatus(obj: T, options?: CallOptions): Promise<T> {
    const req = { kind: this.kind, namespace: this.namespaceOf(obj), object: encodeObject(obj) };
    return decodeObject<T>(await this.api.updateStatus(req, options));
  }

  /** JSON merge patch (RFC 7386): fields set to null are removed. */
  async patch(name: string, patch: unknown, options?: CallOptions): Promise<T> {
    const req = { kind: this.kind, namespace: this.namespace, name, patch: encodeObject(patch) };
    return decodeObject<T>(await this.api.patch(req, options));
  }

  /** Deletes, or marks for deletion when finalizers remain; returns the object as the server left it. */
  async delete(name: string, options: DeleteOptions = {}): Promise<T> {
    const pre = options.preconditions;
    const req = {
      kind: this.kind,
      namespace: this.namespace,
      name,
      preconditions:
        pre === undefined ? null : { uid: pre.uid ?? "", resource_version: pre.resourceVersion ?? "" },
    };
    return decodeObject<T>(await this.api.delete(req, options));
  }

  watch(options: WatchOptions = {}): ResourceWatch<T> {
    const raw: RawWatch = this.api.watch(
      {
        kind: this.kind,
        namespace: this.namespace,
        label_selector: options.labelSelector ?? "",
        field_selector: options.fieldSelector ?? "",
        resource_version: options.resourceVersion ?? "",
        allow_bookmarks: options.allowBookmarks ?? false,
      },
      options.signal === undefined ? {} : { signal: options.signal },
    );
    return {
      close: () => raw.close(),
      async *[Symbol.asyncIterator]() {
        for await (const ev of raw) {
          if (!EVENT_TYPES.has(ev.type)) continue;
          yield { type: ev.type as WatchEventType, object: decodeObject<T>(ev.object) };
        }
      },
    };
  }

  private namespaceOf(obj: T): string {
    return obj.metadata.namespace ?? this.namespace;
  }
}
