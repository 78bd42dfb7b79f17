import { type FaultName, isFaultName } from "./faults/index.js";
import type { RestartMode } from "./node.js";
import { isStoreKind, STORE_KINDS, type StoreKind } from "./store-mode.js";

export interface CliArgs {
  /** A single seed, verbose. */
  readonly seed: number | undefined;
  readonly seeds: number;
  readonly start: number;
  readonly nodes: number | undefined;
  readonly faultTicks: number | undefined;
  readonly faults: FaultName[] | undefined;
  readonly restartMode: RestartMode | undefined;
  readonly store: StoreKind | undefined;
  readonly quiet: boolean;
}

export const USAGE = `usage: npm run sim -- [--seeds N] [--start S] [--seed S] [--nodes 3|5] [--ticks T]
                      [--faults a,b,...] [--restart-mode replay|durableSkip|durableApplied]
                      [--store hashChain|mvcc] [--quiet]
  --seeds N   run seeds start..start+N-1 (default 100)
  --seed S    run one seed with a verbose trace
  --ticks T   ticks in the fault phase (default 300)
  --store K   the replicated application: hashChain (default, Raft only) or mvcc (libs/mvcc
              on every member, key-value clients, watches, linearizability and store checks)`;

export class CliError extends Error {
  override readonly name = "CliError";
}

export function parseArgs(argv: readonly string[]): CliArgs {
  const out: {
    seed?: number;
    seeds: number;
    start: number;
    nodes?: number;
    faultTicks?: number;
    faults?: FaultName[];
    restartMode?: RestartMode;
    store?: StoreKind;
    quiet: boolean;
  } = { seeds: 100, start: 1, quiet: false };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new CliError(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case "--seed":
        out.seed = int(flag, value());
        break;
      case "--seeds":
        out.seeds = int(flag, value());
        break;
      case "--start":
        out.start = int(flag, value());
        break;
      case "--nodes":
        out.nodes = int(flag, value());
        if (out.nodes < 1 || out.nodes > 7) throw new CliError("--nodes must be in 1..7");
        break;
      case "--ticks":
        out.faultTicks = int(flag, value());
        break;
      case "--faults":
        out.faults = value()
          .split(",")
          .filter((s) => s.length > 0)
          .map((s) => {
            if (!isFaultName(s)) throw new CliError(`unknown fault ${s}`);
            return s;
          });
        break;
      case "--restart-mode": {
        const m = value();
        if (m !== "replay" && m !== "durableSkip" && m !== "durableApplied")
          throw new CliError(`unknown restart mode ${m}`);
        out.restartMode = m;
        break;
      }
      case "--store": {
        const k = value();
        if (!isStoreKind(k)) throw new CliError(`unknown store ${k} (one of ${STORE_KINDS.join(", ")})`);
        out.store = k;
        break;
      }
      case "--quiet":
        out.quiet = true;
        break;
      default:
        throw new CliError(`unknown flag ${flag}\n${USAGE}`);
    }
  }
  return {
    seed: out.seed,
    seeds: out.seeds,
    start: out.start,
    nodes: out.nodes,
    faultTicks: out.faultTicks,
    faults: out.faults,
    restartMode: out.restartMode,
    store: out.store,
    quiet: out.quiet,
  };
}

function int(flag: string, s: string): number {
  const n = Number(s);
  if (!Number.isSafeInteger(n) || n < 0) throw new CliError(`${flag} needs a non-negative integer, got ${s}`);
  return n;
}
