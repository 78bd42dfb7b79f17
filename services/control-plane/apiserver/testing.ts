/**
 * Test support: handlers over a FakeBackend with a manual clock, deterministic uids, times
 * and name suffixes, and a stand-in for the watch cache that reads the store directly (so
 * cached reads are deterministic in unit tests; the real cache is exercised over gRPC).
 */
import type { Command } from "../../../libs/mvcc/index.js";
import { FakeBackend, ManualClock } from "../etcd/index.js";
import { ensureNamespaces } from "./bootstrap.js";
import {
  type HandlerContext,
  type HandlerOptions,
  handlerContext,
  type ObjectCache,
} from "./handler-context.js";
import { decodeStored, prefixEndKey, RegistryStore, type RegistryStoreOptions } from "./registry-store.js";

/** A FakeBackend that can run a hook before the next proposal (to stage a racing write). */
export class RacyBackend extends FakeBackend {
  private hooks: Array<() => Promise<void>> = [];
  /** Proposals seen, by command type. */
  readonly proposals: Command["type"][] = [];

  /** Runs `hook` before the next proposal not made by a hook. */
  beforeNextPropose(hook: () => Promise<void>): void {
    this.hooks.push(hook);
  }

  private inHook = false;

  override async propose(cmd: Command): ReturnType<FakeBackend["propose"]> {
    // Proposals the hook itself makes go straight through.
    const hook = this.inHook ? undefined : this.hooks.shift();
    if (hook !== undefined) {
      this.inHook = true;
      try {
        await hook();
      } finally {
        this.inHook = false;
      }
    }
    this.proposals.push(cmd.type);
    return super.propose(cmd);
  }
}

/** An ObjectCache that is always exactly as fresh as the store. */
export function storeBackedCache(store: RegistryStore): ObjectCache {
  return {
    get revision() {
      return store.revision;
    },
    waitUntilFresh: async (rv) => {
      if (store.revision < rv) throw new Error(`cache is at ${store.revision}, not ${rv}`);
    },
    get: (key) => store.readLocal(key),
    list: (prefix) => {
      const chunk = store.rangeChunk(prefix, prefixEndKey(prefix), 0, 0);
      return { items: chunk.kvs.map(decodeStored), revision: chunk.revision };
    },
  };
}

export interface TestApi {
  readonly backend: RacyBackend;
  readonly store: RegistryStore;
  readonly ctx: HandlerContext;
  close(): void;
}

/** Handlers over a fresh single-member store holding the system namespaces. */
export async function startTestApi(
  options: {
    handlers?: HandlerOptions;
    store?: RegistryStoreOptions;
    cache?: (s: RegistryStore) => ObjectCache;
  } = {},
): Promise<TestApi> {
  const backend = new RacyBackend({ clock: new ManualClock() });
  const store = new RegistryStore(backend, options.store);
  let uid = 0;
  let suffix = 0;
  const ctx = handlerContext(store, (options.cache ?? storeBackedCache)(store), {
    now: () => "2026-01-02T03:04:05Z",
    uid: () => `uid-${++uid}`,
    randomSuffix: () => `x${String(++suffix).padStart(4, "0")}`,
    ...options.handlers,
  });
  await ensureNamespaces(ctx);
  return { backend, store, ctx, close: () => backend.close() };
}

/** JSON bytes of a value, as a client sends them. */
export function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value), "utf8");
}

/** A minimal valid Pod. */
export function pod(
  name: string,
  extra: { namespace?: string; labels?: Record<string, string>; nodeName?: string } = {},
) {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      ...(extra.namespace ? { namespace: extra.namespace } : {}),
      ...(extra.labels ? { labels: extra.labels } : {}),
    },
    spec: {
      containers: [{ name: "main", image: "nginx:1.27" }],
      ...(extra.nodeName ? { nodeName: extra.nodeName } : {}),
    },
  };
}
