/**
 * An in-memory {@link ResourceApi} for tests of code built on libs/client: a revisioned
 * store (every write bumps one revision, as the real store does), Get/List at a revision
 * with continue tokens, optimistic concurrency, finalizers, merge patch, watches from a
 * revision with bookmarks, and the faults informers must survive: compaction (watches and
 * continue tokens older than it fail with Expired) and dropped watch streams. Selectors are
 * a subset: label `k=v`, `k!=v`, `k`, `!k`; fields metadata.name, metadata.namespace,
 * spec.nodeName, status.phase with `=` / `!=`.
 */
import { status } from "@grpc/grpc-js";
import { ApiStatusError } from "./errors.js";
import { decodeObject, encodeObject, type KubeObject, namespacedKey } from "./object.js";
import type {
  CallOptions,
  CreateRequest,
  DeleteRequest,
  GetRequest,
  ListRequest,
  PatchRequest,
  RawList,
  RawWatch,
  RawWatchEvent,
  ResourceApi,
  UpdateRequest,
  WatchRequest,
} from "./resource-api.js";
import { ResourceClient } from "./resource-client.js";
import { WatchChannel } from "./watch-channel.js";

interface Version {
  readonly rev: number;
  /** JSON text; undefined = deleted at rev. */
  readonly json: string | undefined;
}

interface LogEvent {
  readonly rev: number;
  readonly kind: string;
  readonly namespace: string;
  readonly type: "ADDED" | "MODIFIED" | "DELETED";
  readonly json: string;
}

interface FakeWatcher {
  readonly req: WatchRequest;
  readonly channel: WatchChannel<RawWatchEvent>;
}

type Method = "create" | "get" | "list" | "update" | "updateStatus" | "patch" | "delete" | "watch";

function fail(code: status, reason: string, message: string): never {
  throw new ApiStatusError(code, reason, message);
}

export class FakeResourceApi implements ResourceApi {
  private rev = 0;
  private compactedRev = 0;
  private uidSeq = 0;
  /** "kind\0namespace\0name" -> versions, oldest first. */
  private readonly versions = new Map<string, Version[]>();
  private log: LogEvent[] = [];
  private readonly watchers = new Set<FakeWatcher>();
  private readonly faults: { method: Method; error: ApiStatusError }[] = [];

  /** The latest revision. */
  get revision(): number {
    return this.rev;
  }

  /** Open watch streams. */
  get watchCount(): number {
    return this.watchers.size;
  }

  resource<T extends KubeObject>(kind: string, namespace = ""): ResourceClient<T> {
    return new ResourceClient<T>(this, kind, namespace);
  }

  /** The next call of `method` fails with `error` (queued in order). */
  failNext(method: Method, error: ApiStatusError): void {
    this.faults.push({ method, error });
  }

  /** Forgets history up to `rev`: older watches and continue tokens then fail with Expired. */
  compact(rev = this.rev): void {
    this.compactedRev = Math.max(this.compactedRev, rev);
    this.log = this.log.filter((e) => e.rev > this.compactedRev);
    for (const [key, vs] of this.versions) {
      let keepFrom = 0;
      for (let i = 0; i < vs.length; i++) if ((vs[i] as Version).rev <= this.compactedRev) keepFrom = i;
      const kept = vs.slice(keepFrom);
      if (kept.length === 1 && kept[0]?.json === undefined) this.versions.delete(key);
      else this.versions.set(key, kept);
    }
  }

  /** Ends every open watch as a dying master would (UNAVAILABLE unless told otherwise). */
  disconnectWatches(error = new ApiStatusError(status.UNAVAILABLE, "", "connection dropped")): void {
    for (const w of this.watchers) w.channel.end(error);
    this.watchers.clear();
  }

  /** Sends a BOOKMARK at the current revision to every watch that asked for them. */
  bookmark(): void {
    for (const w of this.watchers) {
      if (!w.req.allow_bookmarks) continue;
      const obj = { apiVersion: "v1", kind: "Bookmark", metadata: { resourceVersion: String(this.rev) } };
      w.channel.push({ type: "BOOKMARK", object: encodeObject(obj) });
    }
  }

  async create(req: CreateRequest, _options?: CallOptions): Promise<Buffer> {
    this.fault("create");
    const obj = decodeObject<KubeObject>(toBuffer(req.object));
    const namespace = req.namespace || obj.metadata.namespace || "";
    const name = obj.metadata.name ?? "";
    if (name === "") fail(status.INVALID_ARGUMENT, "Invalid", "metadata.name: Required value");
    const kind = req.kind ?? "";
    if (this.current(kind, namespace, name) !== undefined)
      fail(status.ALREADY_EXISTS, "AlreadyExists", `${kind} "${name}" already exists`);
    const stored = {
      ...obj,
      metadata: {
        ...obj.metadata,
        namespace: namespace === "" ? undefined : namespace,
        uid: `uid-${++this.uidSeq}`,
      },
    };
    return this.write(kind, namespace, name, stored, "ADDED");
  }

  async get(req: GetRequest, _options?: CallOptions): Promise<Buffer> {
    this.fault("get");
    const json = this.current(req.kind ?? "", req.namespace ?? "", req.name ?? "");
    if (json === undefined) fail(status.NOT_FOUND, "NotFound", `${req.kind} "${req.name}" not found`);
    return Buffer.from(json);
  }

  async list(req: ListRequest, _options?: CallOptions): Promise<RawList> {
    this.fault("list");
    let atRev = this.rev;
    let after = "";
    if (req.continue) {
      const token = JSON.parse(Buffer.from(req.continue, "base64url").toString()) as {
        rev: number;
        after: string;
      };
      if (token.rev < this.compactedRev)
        fail(status.OUT_OF_RANGE, "Expired", "the continue token has expired: the list must be restarted");
      ({ rev: atRev, after } = token);
    } else if (req.resource_version_match === "Exact" && req.resource_version) {
      atRev = Number(req.resource_version);
      if (atRev < this.compactedRev) fail(status.OUT_OF_RANGE, "Expired", "resourceVersion is too old");
    }
    const prefix = `${req.kind ?? ""}\0`;
    const keys = [...this.versions.keys()].filter((k) => k.startsWith(prefix) && k > prefix + after).sort();
    const limit = Number(req.limit ?? 0);
    const items: Buffer[] = [];
    let lastKey = "";
    let more = false;
    for (const key of keys) {
      const json = valueAt(this.versions.get(key) ?? [], atRev);
      if (json === undefined) continue;
      const obj = JSON.parse(json) as KubeObject;
      if (!this.matches(obj, req)) continue;
      if (limit > 0 && items.length === limit) {
        more = true;
        break;
      }
      items.push(Buffer.from(json));
      lastKey = key.slice(prefix.length);
    }
    const token = more
      ? Buffer.from(JSON.stringify({ rev: atRev, after: lastKey })).toString("base64url")
      : "";
    return { items, resourceVersion: String(atRev), continue: token, remainingItemCount: 0 };
  }

  async update(req: UpdateRequest, _options?: CallOptions): Promise<Buffer> {
    this.fault("update");
    return this.replace(req, "main");
  }

  async updateStatus(req: UpdateRequest, _options?: CallOptions): Promise<Buffer> {
    this.fault("updateStatus");
    return this.replace(req, "status");
  }

  async patch(req: PatchRequest, _options?: CallOptions): Promise<Buffer> {
    this.fault("patch");
    const kind = req.kind ?? "";
    const namespace = req.namespace ?? "";
    const name = req.name ?? "";
    const json = this.current(kind, namespace, name);
    if (json === undefined) fail(status.NOT_FOUND, "NotFound", `${kind} "${name}" not found`);
    const patched = mergePatch(JSON.parse(json), JSON.parse(toBuffer(req.patch).toString())) as KubeObject;
    return this.replace({ kind, namespace, object: encodeObject(patched) }, "main");
  }

  async delete(req: DeleteRequest, _options?: CallOptions): Promise<Buffer> {
    this.fault("delete");
    const kind = req.kind ?? "";
    const namespace = req.namespace ?? "";
    const name = req.name ?? "";
    const json = this.current(kind, namespace, name);
    if (json === undefined) fail(status.NOT_FOUND, "NotFound", `${kind} "${name}" not found`);
    const obj = JSON.parse(json) as KubeObject;
    const pre = req.preconditions;
    if (pre?.uid && pre.uid !== obj.metadata.uid)
      fail(status.ABORTED, "Conflict", "precondition failed: uid");
    if (pre?.resource_version && pre.resource_version !== obj.metadata.resourceVersion)
      fail(status.ABORTED, "Conflict", "precondition failed: resourceVersion");
    const finalizers = obj.metadata["finalizers"];
    if (Array.isArray(finalizers) && finalizers.length > 0) {
      if (obj.metadata["deletionTimestamp"] !== undefined) return Buffer.from(json);
      const marked = { ...obj, metadata: { ...obj.metadata, deletionTimestamp: "2026-01-01T00:00:00Z" } };
      return this.write(kind, namespace, name, marked, "MODIFIED");
    }
    return this.remove(kind, namespace, name, obj);
  }

  watch(req: WatchRequest, options: Pick<CallOptions, "signal"> = {}): RawWatch {
    const watcher: FakeWatcher = {
      req,
      channel: new WatchChannel<RawWatchEvent>({
        highWaterMark: 1_000_000,
        onClose: () => this.watchers.delete(watcher),
      }),
    };
    options.signal?.addEventListener("abort", () => watcher.channel.close(), { once: true });
    const rv = req.resource_version ?? "";
    const pending = this.faults.findIndex((f) => f.method === "watch");
    if (pending >= 0) {
      watcher.channel.end(this.faults.splice(pending, 1)[0]?.error);
    } else if (rv === "" || rv === "0") {
      for (const [key, vs] of [...this.versions].sort(([a], [b]) => (a < b ? -1 : 1))) {
        const json = vs[vs.length - 1]?.json;
        if (!key.startsWith(`${req.kind}\0`) || json === undefined) continue;
        if (this.matches(JSON.parse(json) as KubeObject, req))
          watcher.channel.push({ type: "ADDED", object: Buffer.from(json) });
      }
      this.watchers.add(watcher);
    } else if (Number(rv) < this.compactedRev) {
      watcher.channel.end(
        new ApiStatusError(status.OUT_OF_RANGE, "Expired", `too old resource version: ${rv}`),
      );
    } else {
      for (const e of this.log) if (e.rev > Number(rv)) this.deliver(watcher, e);
      this.watchers.add(watcher);
    }
    return {
      close: () => watcher.channel.close(),
      [Symbol.asyncIterator]: () => watcher.channel[Symbol.asyncIterator](),
    };
  }

  private replace(req: UpdateRequest, subresource: "main" | "status"): Buffer {
    const next = decodeObject<KubeObject>(toBuffer(req.object));
    const kind = req.kind ?? "";
    const namespace = req.namespace || next.metadata.namespace || "";
    const name = next.metadata.name ?? "";
    const json = this.current(kind, namespace, name);
    if (json === undefined) fail(status.NOT_FOUND, "NotFound", `${kind} "${name}" not found`);
    const prev = JSON.parse(json) as KubeObject;
    const rv = next.metadata.resourceVersion;
    if (rv !== undefined && rv !== "" && rv !== prev.metadata.resourceVersion)
      fail(
        status.ABORTED,
        "Conflict",
        `Operation cannot be fulfilled on ${kind} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
      );
    const merged: KubeObject =
      subresource === "status"
        ? { ...prev, status: next["status"] }
        : {
            ...next,
            status: prev["status"],
            metadata: { ...next.metadata, uid: prev.metadata.uid, namespace: prev.metadata.namespace },
          };
    const finalizers = merged.metadata["finalizers"];
    const noFinalizers = !Array.isArray(finalizers) || finalizers.length === 0;
    if (prev.metadata["deletionTimestamp"] !== undefined && noFinalizers)
      return this.remove(kind, namespace, name, merged);
    return this.write(kind, namespace, name, merged, "MODIFIED");
  }

  private write(
    kind: string,
    namespace: string,
    name: string,
    obj: KubeObject,
    type: "ADDED" | "MODIFIED",
  ): Buffer {
    const rev = ++this.rev;
    const json = JSON.stringify({ ...obj, metadata: { ...obj.metadata, resourceVersion: String(rev) } });
    this.record(kind, namespace, name, { rev, json }, { rev, kind, namespace, type, json });
    return Buffer.from(json);
  }

  private remove(kind: string, namespace: string, name: string, obj: KubeObject): Buffer {
    const rev = ++this.rev;
    const json = JSON.stringify({ ...obj, metadata: { ...obj.metadata, resourceVersion: String(rev) } });
    this.record(
      kind,
      namespace,
      name,
      { rev, json: undefined },
      { rev, kind, namespace, type: "DELETED", json },
    );
    return Buffer.from(json);
  }

  private record(kind: string, namespace: string, name: string, version: Version, event: LogEvent): void {
    const key = `${kind}\0${namespacedKey(namespace, name)}`;
    const vs = this.versions.get(key) ?? [];
    vs.push(version);
    this.versions.set(key, vs);
    this.log.push(event);
    for (const w of this.watchers) this.deliver(w, event);
  }

  private deliver(w: FakeWatcher, e: LogEvent): void {
    if (e.kind !== w.req.kind) return;
    if (w.req.namespace && w.req.namespace !== e.namespace) return;
    if (!this.matches(JSON.parse(e.json) as KubeObject, w.req)) return;
    w.channel.push({ type: e.type, object: Buffer.from(e.json) });
  }

  private current(kind: string, namespace: string, name: string): string | undefined {
    const vs = this.versions.get(`${kind}\0${namespacedKey(namespace, name)}`);
    return vs?.[vs.length - 1]?.json;
  }

  private matches(
    obj: KubeObject,
    req: { namespace?: string; label_selector?: string; field_selector?: string },
  ): boolean {
    if (req.namespace && (obj.metadata.namespace ?? "") !== req.namespace) return false;
    return matchLabels(obj, req.label_selector ?? "") && matchFields(obj, req.field_selector ?? "");
  }

  private fault(method: Method): void {
    const i = this.faults.findIndex((f) => f.method === method);
    if (i >= 0) throw this.faults.splice(i, 1)[0]?.error;
  }
}

function toBuffer(bytes: Buffer | Uint8Array | string | undefined): Buffer {
  return typeof bytes === "string" ? Buffer.from(bytes, "base64") : Buffer.from(bytes ?? new Uint8Array());
}

function valueAt(vs: readonly Version[], rev: number): string | undefined {
  let json: string | undefined;
  for (const v of vs) if (v.rev <= rev) json = v.json;
  return json;
}

function matchLabels(obj: KubeObject, selector: string): boolean {
  const labels = obj.metadata.labels ?? {};
  return splitTerms(selector).every((term) => {
    const ne = term.split("!=");
    if (ne.length === 2) return labels[ne[0] as string] !== ne[1];
    const eq = term.split("=");
    if (eq.length === 2) return labels[eq[0] as string] === eq[1];
    return term.startsWith("!") ? !(term.slice(1) in labels) : term in labels;
  });
}

function matchFields(obj: KubeObject, selector: string): boolean {
  return splitTerms(selector).every((term) => {
    const negate = term.includes("!=");
    const [path = "", want = ""] = term.split(negate ? "!=" : "=");
    let value: unknown = obj;
    for (const part of path.split(".")) value = (value as Record<string, unknown> | undefined)?.[part];
    return ((value ?? "") === want) !== negate;
  });
}

function splitTerms(selector: string): string[] {
  return selector
    .split(",")
    .map((t) => t.trim().replace("==", "="))
    .filter((t) => t !== "");
}

/** RFC 7386. */
function mergePatch(target: unknown, patch: unknown): unknown {
  if (typeof patch !== "object" || patch === null || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> =
    typeof target === "object" && target !== null && !Array.isArray(target)
      ? { ...(target as Record<string, unknown>) }
      : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}
