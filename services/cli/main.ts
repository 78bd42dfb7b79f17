#!/usr/bin/env node
/**
 * The `flotilla` command. Each subcommand lives in commands/<name>.ts; this file only routes.
 */
import { runMaster } from "../control-plane/master/index.js";
import { runApply } from "./commands/apply.js";
import { runDelete } from "./commands/delete.js";
import { runDemo } from "./commands/demo.js";
import { runDown } from "./commands/down.js";
import { runGet } from "./commands/get.js";
import { runKill } from "./commands/kill.js";
import { runPartition } from "./commands/partition.js";
import { runRestart } from "./commands/restart.js";
import { runSnapshot } from "./commands/snapshot.js";
import { runStatus } from "./commands/status.js";
import { runUp } from "./commands/up.js";
import { CliError } from "./support/errors.js";

const USAGE = `flotilla — a Kubernetes-style cluster emulator

Usage:
  flotilla up [--masters 3] [--dir .flotilla] [--detach] [--fsync on|off] [--tick-ms 100] [--timeout 30]
      Starts a cluster of masters on free loopback ports (or resumes the one in --dir, same data
      and ports), waits for a leader and prints the endpoints, with a line for etcdctl. In the
      foreground it shows elections until Ctrl-C stops every master; --detach leaves them running.
  flotilla status [--dir .flotilla] [-o table|json] [--watch [--count N]]
      Each member's role, term, commit and applied index, leader, pid and addresses; a member
      that is not running shows as down with its last pid. --watch refreshes every second.
  flotilla kill MEMBER|leader [--dir .flotilla]
      SIGKILLs a master (m1, m2, …; "leader" picks the one leading now).
  flotilla restart MEMBER|leader [--dir .flotilla] [--timeout 30]
      Starts a member again on its data dir and ports (stopping it first if it runs) and waits
      until it answers /healthz.
  flotilla down [--dir .flotilla] [--timeout 10] [--purge]
      Stops every master (SIGTERM, then SIGKILL after --timeout seconds). The data stays for the
      next "flotilla up" unless --purge.
  flotilla partition MEMBER|leader --from m2,m3|all [--delay MS] [--dir .flotilla]
  flotilla partition [MEMBER] --heal [--dir .flotilla]
      Cuts a member off from some peers (or delays its messages to them) through the admin API;
      --heal lifts every cut.
  flotilla snapshot save FILE [--dir .flotilla | --endpoints HOST:PORT,…] [--timeout 60]
      Streams a backup of the store from a member (the leader first) into FILE.
  flotilla snapshot restore FILE --data-dir DIR --name m1 --initial-cluster m1=http://HOST:PORT,…
      Seeds an empty data dir with a backup (DIR/restore-from.snapshot) for "flotilla master" to
      load on its first start; restore every member of the new cluster from the same file.
  flotilla apply -f FILE|- [--dir .flotilla] [-n NAMESPACE]
      Creates or updates the objects of a YAML or JSON manifest (several documents or a List):
      "created", "configured" or "unchanged" per object; invalid ones are reported, exit 1.
  flotilla get KIND [NAME] [--dir .flotilla] [-n NAMESPACE | -A] [-l SELECTOR] [--field-selector S]
               [-o table|json|yaml] [--watch]
      Lists objects (pods, deployments, configmaps, nodes, …) as a table, JSON or YAML;
      --watch then prints a row per change (ADDED, MODIFIED, DELETED) until Ctrl-C.
  flotilla delete KIND NAME... [--dir .flotilla] [-n NAMESPACE]
  flotilla delete -f FILE|- [--dir .flotilla]
      Deletes objects by name or those of a manifest.
  flotilla demo [--masters 3] [--seconds 12] [--seed 1]
      Runs a Raft cluster in this process on a real 100 ms tick: watch an election,
      writes committing, the leader killed, a new election, and the old leader rejoining.
  flotilla master --name m1 --data-dir DIR --listen-peer HOST:PORT --listen-client HOST:PORT
                  --listen-http HOST:PORT --initial-cluster m1=http://HOST:PORT,... [--join]
      Runs one master (see "flotilla master --help").
  flotilla help

Every command that acts on a cluster finds it in --dir (default .flotilla): no ports to type.`;

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case "demo":
      return runDemo(rest);
    case "master":
      return runMaster(rest);
    case "up":
      return runUp(rest);
    case "status":
      return runStatus(rest);
    case "kill":
      return runKill(rest);
    case "restart":
      return runRestart(rest);
    case "down":
      return runDown(rest);
    case "partition":
      return runPartition(rest);
    case "snapshot":
      return runSnapshot(rest);
    case "apply":
      return runApply(rest);
    case "get":
      return runGet(rest);
    case "delete":
      return runDelete(rest);
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
    process.exitCode = err instanceof CliError ? err.exitCode : 1;
  },
);
