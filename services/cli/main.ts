#!/usr/bin/env node
/**
 * The `flotilla` command. Each subcommand lives in commands/<name>.ts; this file only routes.
 */
import { runDemo } from "./commands/demo.js";

const USAGE = `flotilla — a Kubernetes-style cluster emulator

Usage:
  flotilla demo [--masters 3] [--seconds 12] [--seed 1]
      Runs a Raft cluster in this process on a real 100 ms tick: watch an election,
      writes committing, the leader killed, a new election, and the old leader rejoining.
  flotilla help

More commands (up, status, kill, restart, apply, loadtest, ...) arrive with the master process.`;

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case "demo":
      return runDemo(rest);
    case undefined:
    case "help":
    case "--help":
    case "-h":
      console.log(USAGE);
      return 0;
    default:
      console.error(`flotilla: unknown command "${cmd}". Run "flotilla help" to see the commands.`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`flotilla: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  },
);
