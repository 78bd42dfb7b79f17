/**
 * The namespaces every cluster has (default, kube-system, kube-public, kube-node-lease),
 * created by every master as it starts. Idempotent: AlreadyExists counts as done, so
 * several masters starting together and restarts all end with one of each. Retries while
 * there is no leader (a cluster's first seconds), bounded by a deadline.
 */
import { registryKey } from "../../../libs/api/index.js";
import { ApiError } from "./api-error.js";
import { type HandlerContext, namespaceKind } from "./handler-context.js";
import { createObject } from "./write-handlers.js";

export const SYSTEM_NAMESPACES: readonly string[] = [
  "default",
  "kube-system",
  "kube-public",
  "kube-node-lease",
];

export interface BootstrapOptions {
  /** @default SYSTEM_NAMESPACES */
  namespaces?: readonly string[];
  /** Give up after this long without success. @default 60000 */
  deadlineMs?: number;
  /** Pause between attempts while the store cannot take writes. @default 200 */
  retryDelayMs?: number;
  /** Stops the retries (the master is stopping). */
  signal?: AbortSignal;
}

/** Reasons worth another attempt: the cluster is electing, busy, or slow. */
const RETRYABLE = new Set(["ServiceUnavailable", "Timeout", "TooManyRequests"]);

/**
 * Ensures each namespace exists; resolves with the names it created (the others existed).
 * Rejects with the last error once the deadline passes, or with an AbortError-named error on abort.
 */
export async function ensureNamespaces(
  ctx: HandlerContext,
  options: BootstrapOptions = {},
): Promise<string[]> {
  const deadline = Date.now() + (options.deadlineMs ?? 60_000);
  const delayMs = options.retryDelayMs ?? 200;
  const created: string[] = [];
  for (const name of options.namespaces ?? SYSTEM_NAMESPACES) {
    // Already in this replica (a restart): nothing to propose.
    if (ctx.store.readLocal(registryKey(namespaceKind(), "", name)) !== undefined) continue;
    const body = Buffer.from(JSON.stringify({ apiVersion: "v1", kind: "Namespace", metadata: { name } }));
    for (;;) {
      options.signal?.throwIfAborted();
      try {
        await createObject(ctx, "Namespace", "", body);
        created.push(name);
        break;
      } catch (e) {
        if (e instanceof ApiError && e.reason === "AlreadyExists") break;
        const retryable = e instanceof ApiError && RETRYABLE.has(e.reason);
        if (!retryable || Date.now() + delayMs > deadline) throw e;
        await sleep(delayMs, options.signal);
      }
    }
  }
  return created;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
