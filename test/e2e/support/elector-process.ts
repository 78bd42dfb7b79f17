/**
 * One leader-election candidate in its own process, for the three-process election test:
 * `node --import tsx elector-process.ts IDENTITY ENDPOINTS LEASE_MS RENEW_MS RETRY_MS`.
 * It contends for the Lease kube-system/e2e-election through libs/client's LeaderElector and
 * prints one JSON line per transition: {"event":"started"|"stopped","identity","atMs"} with
 * the wall clock (every candidate runs on this machine, so their clocks are the same clock).
 * It runs until killed; SIGTERM stops it without releasing the lease.
 */
import { ApiClient, LeaderElector, type LeaseObject } from "../../../libs/client/index.js";

const [identity, endpoints, leaseMs, renewMs, retryMs] = process.argv.slice(2);
if (!identity || !endpoints || !leaseMs || !renewMs || !retryMs) {
  process.stderr.write("usage: elector-process IDENTITY ENDPOINTS LEASE_MS RENEW_MS RETRY_MS\n");
  process.exit(2);
}

const say = (event: string): void => {
  process.stdout.write(`${JSON.stringify({ event, identity, atMs: Date.now() })}\n`);
};

const api = new ApiClient(endpoints.split(","), { callTimeoutMs: Number(renewMs) / 2 });
const elector = new LeaderElector({
  client: api.resource<LeaseObject>("leases", "kube-system"),
  leaseName: "e2e-election",
  identity,
  leaseDurationMs: Number(leaseMs),
  renewDeadlineMs: Number(renewMs),
  retryPeriodMs: Number(retryMs),
  callbacks: {
    onStartedLeading: () => say("started"),
    onStoppedLeading: () => say("stopped"),
  },
});
elector.start();
say("running");
process.on("SIGTERM", () => {
  void elector.stop();
  api.close();
  process.exit(0);
});
