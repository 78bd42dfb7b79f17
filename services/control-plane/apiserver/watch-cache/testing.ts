/**
 * Test support for the watch cache: an in-process store written to directly with MVCC
 * commands, object builders, and a recording watch sink whose backpressure a test controls.
 */
import { type ApiObject, registryKey, resolveKind } from "../../../../libs/api/index.js";
import { type Command, MvccStore, utf8 } from "../../../../libs/mvcc/index.js";
import type { ApiError } from "../api-error.js";
import type { CacheWatcher, OutgoingEvent, WatchSink } from "./cache-watcher.js";
import type { WatchCache } from "./watch-cache.js";
import { parseWatchParams, type WatchParams } from "./watch-request.js";

/** A store and the Raft index of its next entry. */
export class TestStore {
  readonly store = new MvccStore();
  private index = 0;

  /** Applies a command as the next committed entry; returns the store revision after it. */
  apply(cmd: Command): number {
    const r = this.store.apply(++this.index, cmd);
    if (r.kind !== "applied") throw new Error(`command ${cmd.type} not applied: ${r.kind}`);
    return this.store.currentRevision;
  }

  put(key: string, obj: unknown): number {
    const value = typeof obj === "string" ? utf8(obj) : utf8(JSON.stringify(obj));
    return this.apply({ type: "put", put: { key: utf8(key), value } });
  }

  putObject(obj: ApiObject): number {
    return this.put(keyOf(obj), obj);
  }

  delete(key: string): number {
    return this.apply({ type: "deleteRange", deleteRange: { key: utf8(key) } });
  }

  compact(revision: number): void {
    this.apply({ type: "compact", compact: { revision } });
  }
}

/** The registry key of an object. */
export function keyOf(obj: ApiObject): string {
  const info = resolveKind(obj.kind);
  if (info === undefined) throw new Error(`unknown kind ${obj.kind}`);
  return registryKey(info, obj.metadata.namespace ?? "", obj.metadata.name ?? "");
}

export function pod(
  namespace: string,
  name: string,
  opts: { labels?: Record<string, string>; nodeName?: string; image?: string } = {},
): ApiObject {
  const spec: Record<string, unknown> = { containers: [{ name: "c", image: opts.image ?? "nginx" }] };
  if (opts.nodeName !== undefined) spec.nodeName = opts.nodeName;
  const metadata: Record<string, unknown> = { name, namespace };
  if (opts.labels !== undefined) metadata.labels = opts.labels;
  return { apiVersion: "v1", kind: "Pod", metadata, spec };
}

export function node(name: string): ApiObject {
  return { apiVersion: "v1", kind: "Node", metadata: { name }, spec: {} };
}

/** One received event with its object parsed back from the shared bytes. */
export interface Received {
  readonly type: string;
  readonly object: ApiObject;
}

/** A sink that records what it receives; `blocked` makes `send` report a full transport. */
export class RecordingSink implements WatchSink {
  readonly events: Received[] = [];
  closedWith: ApiError | undefined | "open" = "open";
  blocked = false;
  watcher: CacheWatcher | undefined;

  send(event: OutgoingEvent): boolean {
    this.events.push({
      type: event.type,
      object: JSON.parse(event.object.bytes.toString("utf8")) as ApiObject,
    });
    return !this.blocked;
  }

  close(error: ApiError | undefined): void {
    this.closedWith = error;
  }

  started(watcher: CacheWatcher): void {
    this.watcher = watcher;
  }

  /** "TYPE name@rv" per event: compact to compare. */
  summary(): string[] {
    return this.events.map(
      (e) => `${e.type} ${e.object.metadata.name ?? ""}@${e.object.metadata.resourceVersion ?? ""}`,
    );
  }

  unblock(): void {
    this.blocked = false;
    this.watcher?.resume();
  }
}

/** Opens a watch on the cache with a recording sink. */
export async function watchInto(cache: WatchCache, params: Partial<WatchParams>): Promise<RecordingSink> {
  const sink = new RecordingSink();
  await cache.watch(parseWatchParams(watchParams(params)), sink);
  return sink;
}

export function watchParams(params: Partial<WatchParams>): WatchParams {
  return {
    kind: "pods",
    namespace: "",
    label_selector: "",
    field_selector: "",
    resource_version: "",
    allow_bookmarks: false,
    ...params,
  };
}

/** Lets scheduled work (store-watch drains, catch-up, pumps) run. */
export async function settle(turns = 10): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
