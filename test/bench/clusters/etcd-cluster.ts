/**
 * A three-member etcd (the installed /usr/bin/etcd) on free loopback ports, data dirs in a
 * temp folder, with Flotilla's default election settings: heartbeat 100 ms, election
 * timeout 1000 ms (etcd, like Flotilla, randomizes it to [1000, 2000) ms). etcd always
 * fsyncs its WAL.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import {
  BenchCluster,
  DEFAULT_SNAPSHOT_ENTRIES,
  DEFAULT_TIMING,
  type MemberSpec,
  memberSpecs,
  type Timing,
} from "./cluster.js";
import { freeLoopbackPorts, type ProcessGroup } from "./processes.js";

const ETCD = process.env["ETCD_BIN"] ?? "/usr/bin/etcd";

export class EtcdCluster extends BenchCluster {
  readonly system = "etcd" as const;
  readonly timing: Timing = {
    ...DEFAULT_TIMING,
    flags:
      `--heartbeat-interval=${DEFAULT_TIMING.heartbeatMs} --election-timeout=${DEFAULT_TIMING.electionTimeoutMs}` +
      ` --snapshot-count=${DEFAULT_SNAPSHOT_ENTRIES}`,
  };
  protected readyPattern = /ready to serve client requests|serving client traffic/;

  async version(): Promise<string> {
    const { stdout } = await promisify(execFile)(ETCD, ["--version"]);
    return stdout.split("\n")[0]?.replace("etcd Version: ", "") ?? "?";
  }

  protected command(m: MemberSpec): { cmd: string; args: string[] } {
    const cluster = this.members.map((x) => `${x.name}=http://${x.peerAddr}`).join(",");
    return {
      cmd: ETCD,
      args: [
        `--name=${m.name}`,
        `--data-dir=${m.dataDir}`,
        `--listen-client-urls=http://${m.clientAddr}`,
        `--advertise-client-urls=http://${m.clientAddr}`,
        `--listen-peer-urls=http://${m.peerAddr}`,
        `--initial-advertise-peer-urls=http://${m.peerAddr}`,
        `--initial-cluster=${cluster}`,
        "--initial-cluster-state=new",
        "--initial-cluster-token=flotilla-bench",
        `--heartbeat-interval=${this.timing.heartbeatMs}`,
        `--election-timeout=${this.timing.electionTimeoutMs}`,
        `--snapshot-count=${DEFAULT_SNAPSHOT_ENTRIES}`,
        "--logger=zap",
        "--log-outputs=stderr",
      ],
    };
  }
}

export async function createEtcdCluster(group: ProcessGroup): Promise<EtcdCluster> {
  const root = group.tempDir("flotilla-bench-etcd-");
  return new EtcdCluster(group, memberSpecs(root, await freeLoopbackPorts(9)));
}
