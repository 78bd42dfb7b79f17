import { performance } from "node:perf_hooks";
import { type CliArgs, CliError, parseArgs, USAGE } from "./cli-args.js";
import type { SimOptions } from "./config.js";
import { runSeed } from "./driver.js";
import { addResult, emptyTotals, formatFailure, formatTotals } from "./report.js";

/** `npm run sim -- --seeds N` or `npm run sim -- --seed S` (one seed, verbose trace). */
function main(argv: readonly string[]): number {
  let args: CliArgs;
  try {
    args = parseArgs(argv);
  } catch (err) {
    if (err instanceof CliError) {
      console.error(err.message);
      console.error(USAGE);
      return 2;
    }
    throw err;
  }
  const options = (seed: number, verbose: boolean): SimOptions => ({
    seed,
    verbose,
    ...(args.nodes !== undefined ? { nodes: args.nodes } : {}),
    ...(args.faultTicks !== undefined ? { faultTicks: args.faultTicks } : {}),
    ...(args.faults !== undefined ? { faults: args.faults } : {}),
    ...(args.restartMode !== undefined ? { restartMode: args.restartMode } : {}),
    ...(args.store !== undefined ? { store: args.store } : {}),
  });
  const seeds =
    args.seed !== undefined ? [args.seed] : Array.from({ length: args.seeds }, (_, i) => args.start + i);
  const totals = emptyTotals();
  const t0 = performance.now();
  for (const seed of seeds) {
    const r = runSeed(options(seed, args.seed !== undefined && !args.quiet));
    addResult(totals, r);
    if (args.seed !== undefined) console.log(`config: ${r.config}`);
    if (!r.ok) console.log(formatFailure(r));
  }
  console.log(formatTotals(totals, performance.now() - t0));
  return totals.failures.length === 0 ? 0 : 1;
}

process.exitCode = main(process.argv.slice(2));
