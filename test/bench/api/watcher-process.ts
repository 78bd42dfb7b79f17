/** The benchmark's handle on its watcher child process (watcher-child.ts), forked under tsx. */
import { type ChildProcess, fork } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ProcessGroup } from "../clusters/processes.js";
import type { FinishMessage, FromChild, StartMessage, WatchResult } from "./protocol.js";

const CHILD = join(dirname(fileURLToPath(import.meta.url)), "watcher-child.ts");

export class WatcherProcessError extends Error {
  override readonly name = "WatcherProcessError";
}

export class WatcherProcess {
  private readonly child: ChildProcess;
  private readonly pending: Array<(m: FromChild) => void> = [];
  private exited: string | undefined;

  constructor(group: ProcessGroup) {
    this.child = fork(CHILD, [], {
      execArgv: ["--import", "tsx"],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    group.adopt(this.child);
    this.child.on("message", (m: FromChild) => this.pending.shift()?.(m));
    this.child.on("exit", (code, signal) => {
      this.exited = `watcher process exited (code ${code}, signal ${signal})`;
      for (const p of this.pending.splice(0)) p({ type: "error", message: this.exited });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Opens the watches; resolves once every one of them has received the probe object. */
  async start(msg: StartMessage, writeProbe: () => Promise<void>, timeoutMs: number): Promise<number> {
    const reply = this.next(timeoutMs);
    this.child.send(msg);
    await writeProbe();
    const m = await reply;
    if (m.type !== "ready")
      throw new WatcherProcessError(m.type === "error" ? m.message : "unexpected reply");
    return m.openMs;
  }

  async finish(msg: FinishMessage, timeoutMs: number): Promise<WatchResult> {
    const reply = this.next(timeoutMs);
    this.child.send(msg);
    const m = await reply;
    if (m.type !== "result")
      throw new WatcherProcessError(m.type === "error" ? m.message : "unexpected reply");
    return m.result;
  }

  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGKILL");
  }

  private next(timeoutMs: number): Promise<FromChild> {
    if (this.exited) return Promise.reject(new WatcherProcessError(this.exited));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const i = this.pending.indexOf(done);
        if (i >= 0) this.pending.splice(i, 1);
        reject(new WatcherProcessError(`no answer from the watcher process within ${timeoutMs} ms`));
      }, timeoutMs);
      const done = (m: FromChild): void => {
        clearTimeout(timer);
        resolve(m);
      };
      this.pending.push(done);
    });
  }
}
