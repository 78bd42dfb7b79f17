/**
 * The child of the crash test: recovers the directory, then saves forever, printing
 * `ack <n>` after the n-th save of this run resolved. The parent SIGKILLs it at a random
 * moment. Run as: node --import tsx crash-writer.ts <dir> <seed>
 */
import { openStorage } from "../recovery.js";
import { applySave, type LogModel, planner } from "./crash-workload.js";

const [dir, seedText] = process.argv.slice(2);
if (dir === undefined || seedText === undefined) throw new Error("usage: crash-writer.ts <dir> <seed>");

const { storage, wal } = await openStorage(dir, { segmentBytesMax: 64 * 1024 });
const log: LogModel = { terms: [], hardState: storage.initialState().hardState };
for (let i = 1; i <= storage.lastIndex(); i++) log.terms.push(storage.term(i) as number);
const plan = planner(Number(seedText));
process.stdout.write("ready\n");
// Bounded: the parent kills the child long before this; the bound only stops a runaway.
for (let n = 1; n <= 1_000_000; n++) {
  const save = plan(log);
  await wal.save(save.hardState, save.entries);
  applySave(log, save);
  // Pipes are synchronous on Linux: once this returns, the parent will see the line.
  process.stdout.write(`ack ${n}\n`);
}
