/**
 * Backup and restore: a backup taken with `etcdctl snapshot save` from a running cluster
 * seeds three empty data dirs (`flotilla snapshot restore`), and the masters started on them
 * form a new cluster that holds every key of the backup and goes on taking writes.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { flotillaOk } from "./support/cli-run.js";
import { MasterCluster } from "./support/master-cluster.js";
import { etcdctl, HAVE_ETCDCTL } from "./support/master-etcd.js";

describe.skipIf(!HAVE_ETCDCTL)("snapshot save, then restore into a new cluster", () => {
  const clusters: MasterCluster[] = [];
  const scratch = mkdtempSync(join(tmpdir(), "flotilla-restore-e2e-"));
  afterAll(async () => {
    for (const c of clusters) await c.close();
    rmSync(scratch, { recursive: true, force: true });
  });
  const ok = async (endpoints: readonly string[], args: readonly string[]): Promise<string> => {
    const r = await etcdctl(endpoints, args);
    expect(r.code, `etcdctl ${args.join(" ")}: ${r.stderr}`).toBe(0);
    return r.stdout;
  };

  it("restores every key of the backup on every member, elects a leader and takes new writes", async () => {
    const old = await MasterCluster.start(3);
    clusters.push(old);
    await old.settled();
    for (let i = 0; i < 20; i++) await ok(old.endpoints(), ["put", `/backup/k${i}`, `v${i}`]);
    await ok(old.endpoints(), ["del", "/backup/k0"]);
    const backup = join(scratch, "backup.db");
    await ok([old.client((await old.leader()) as string)], ["snapshot", "save", backup]);
    await old.close();

    // A new cluster on new ports: stop its members, seed their empty dirs, start them again.
    const fresh = await MasterCluster.start(3);
    clusters.push(fresh);
    for (const name of ["m1", "m2", "m3"]) {
      await fresh.stopMember(name);
      const dir = fresh.spec(name).dataDir;
      rmSync(dir, { recursive: true, force: true });
      await flotillaOk([
        "snapshot",
        "restore",
        backup,
        "--data-dir",
        dir,
        "--name",
        name,
        "--initial-cluster",
        fresh.initialCluster(),
      ]);
    }
    await Promise.all(["m1", "m2", "m3"].map((n) => fresh.startMember(n)));
    for (const name of ["m1", "m2", "m3"]) {
      expect(fresh.running.get(name)?.lines.some((l) => l.msg === "restored from snapshot")).toBe(true);
    }
    await fresh.settled();

    // Each member's own replica (serializable reads) holds the backup, k0 deleted.
    for (const name of ["m1", "m2", "m3"]) {
      const keys = await ok(
        [fresh.client(name)],
        ["get", "--prefix", "/backup/", "--keys-only", "--consistency=s"],
      );
      const got = keys.split("\n").filter((l) => l.length > 0);
      expect(got).toHaveLength(19);
      expect(got).not.toContain("/backup/k0");
    }
    expect(await ok(fresh.endpoints(), ["get", "/backup/k7", "--print-value-only"])).toBe("v7\n");
    await ok(fresh.endpoints(), ["put", "/after-restore", "yes"]);
    expect(await ok(fresh.endpoints(), ["get", "/after-restore", "--print-value-only"])).toBe("yes\n");
  });
});
