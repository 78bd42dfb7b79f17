/**
 * `flotilla master`: runs one master until SIGTERM or SIGINT (graceful stop, exit 0), its
 * removal from the cluster (exit 0) or a fatal runtime error (exit 1). Bad flags exit 2
 * with the flag and the reason on stderr.
 */
import { FlagError, MASTER_USAGE, parseMasterFlags } from "./flags.js";
import { jsonLogger } from "./logger.js";
import { Master } from "./master.js";

/** Gives a stopped master this long to let its last handles close before exiting anyway. */
const EXIT_GRACE_MS = 2000;

/** Runs a master from its command-line arguments (those after "master"); resolves with the exit code. */
export async function runMaster(argv: readonly string[]): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    console.log(MASTER_USAGE);
    return 0;
  }
  let config: ReturnType<typeof parseMasterFlags>;
  try {
    config = parseMasterFlags(argv);
  } catch (e) {
    if (!(e instanceof FlagError)) throw e;
    console.error(`flotilla master: ${e.message}\nRun "flotilla master --help" for the flags.`);
    return 2;
  }
  const log = jsonLogger(config.name);
  let master: Master;
  try {
    master = await Master.start(config, log);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    log.error("start failed", { error: message });
    console.error(`flotilla master: cannot start ${config.name}: ${message}`);
    return 1;
  }

  const signalled = new Promise<NodeJS.Signals>((resolve) => {
    process.once("SIGTERM", () => resolve("SIGTERM"));
    process.once("SIGINT", () => resolve("SIGINT"));
  });
  const why = await Promise.race([signalled.then((s) => ({ kind: "signal" as const, s })), master.done]);
  let code = 0;
  switch (why.kind) {
    case "signal":
      log.info("signal received", { signal: why.s });
      break;
    case "removed":
      break;
    case "fatal":
      code = 1;
      break;
  }
  await master.stop();
  // Lingering handles (client channels closing) must not keep a stopped master alive.
  setTimeout(() => process.exit(code), EXIT_GRACE_MS).unref();
  return code;
}
