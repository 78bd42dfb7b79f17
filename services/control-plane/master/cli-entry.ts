/**
 * Runs a master directly (`node --import tsx services/control-plane/master/cli-entry.ts
 * --name m1 ...`), without the rest of the `flotilla` command; tests start masters this way.
 */
import { runMaster } from "./main.js";

runMaster(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`flotilla master: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  },
);
