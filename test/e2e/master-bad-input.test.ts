/**
 * Bad input never crashes a master: malformed and oversized gRPC requests, a flood beyond
 * the in-flight bound, bad HTTP admin requests and bad flags all get a clear status or
 * message, and the master keeps serving. Also the HTTP API itself (health, status, the
 * partition table).
 */
import { type Client, credentials, type ServiceError, status } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MasterCluster, spawnMaster, waitFor } from "./support/master-cluster.js";
import { b, call, grpcClient } from "./support/master-etcd.js";

/** A Put whose body is `bytes` as they are: no protobuf encoding. */
function rawPut(endpoint: string, bytes: Buffer): Promise<ServiceError | null> {
  const client = new (class extends (grpcClient(endpoint, "KV").constructor as new (
    ...a: ConstructorParameters<typeof Client>
  ) => Client) {})(endpoint, credentials.createInsecure());
  return new Promise((resolve) => {
    client.makeUnaryRequest(
      "/etcdserverpb.KV/Put",
      (x: Buffer) => x,
      (x: Buffer) => x,
      bytes,
      { deadline: Date.now() + 3000 },
      (err) => {
        client.close();
        resolve(err);
      },
    );
  });
}

describe("bad input", () => {
  let c: MasterCluster;
  let kv: Client;

  beforeAll(async () => {
    // A small in-flight bound, so a flood reaches it.
    c = await MasterCluster.start(3, { extraArgs: ["--max-inflight-proposals", "16"] });
    await c.settled();
    kv = grpcClient(c.client("m1"), "KV");
  });
  afterAll(async () => {
    kv?.close();
    await c?.close();
  });

  const stillServes = async (): Promise<void> => {
    const put = await call(kv, "Put", { key: b("/alive"), value: b(String(Date.now())) });
    expect(put.ok, put.ok ? "" : put.error.message).toBe(true);
  };

  it("answers undecodable bytes with a status and keeps serving", async () => {
    const err = await rawPut(c.client("m1"), Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f, 0x0a]));
    expect(err).not.toBeNull();
    expect(err!.code).toBe(status.INTERNAL);
    await stillServes();
  });

  it("refuses oversized writes with etcd's errors and keeps serving", async () => {
    const tooLarge = await call(kv, "Put", { key: b("/big"), value: Buffer.alloc(1.6 * 1024 * 1024, 1) });
    expect(tooLarge.ok).toBe(false);
    if (!tooLarge.ok) {
      expect(tooLarge.error.code).toBe(status.INVALID_ARGUMENT);
      expect(tooLarge.error.details).toBe("etcdserver: request is too large");
    }
    const huge = await call(kv, "Put", { key: b("/huge"), value: Buffer.alloc(3 * 1024 * 1024, 1) });
    expect(huge.ok).toBe(false);
    if (!huge.ok) expect(huge.error.code).toBe(status.RESOURCE_EXHAUSTED);
    const emptyKey = await call(kv, "Put", { key: b(""), value: b("v") });
    expect(emptyKey.ok).toBe(false);
    if (!emptyKey.ok) expect(emptyKey.error.details).toBe("etcdserver: key is not provided");
    await stillServes();
  });

  it("answers a flood beyond the in-flight bound with RESOURCE_EXHAUSTED and keeps serving", async () => {
    await stillServes();
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        call(kv, "Put", { key: b(`/flood/${i}`), value: b("x") }, 10_000),
      ),
    );
    const summary = new Map<string, number>();
    for (const r of results) {
      const k = r.ok ? "0 ok" : `${r.error.code} ${r.error.details}`;
      summary.set(k, (summary.get(k) ?? 0) + 1);
    }
    const seen = JSON.stringify([...summary]);
    // Beyond the bound: refused at once, with etcd's status and text.
    expect(summary.get(`${status.RESOURCE_EXHAUSTED} etcdserver: too many requests`), seen).toBeGreaterThan(
      100,
    );
    // The rest were accepted; on a loaded machine the flood may cost an election, so an
    // accepted proposal may also end as etcd's retryable UNAVAILABLE errors.
    for (const k of summary.keys())
      expect(["0", String(status.RESOURCE_EXHAUSTED), String(status.UNAVAILABLE)], seen).toContain(
        k.split(" ")[0],
      );
    await waitFor(
      async () => (await call(kv, "Put", { key: b("/after-flood"), value: b("v") })).ok,
      "a put after the flood",
    );
  });

  it("serves /healthz, /readyz and /status, and answers bad HTTP requests with 4xx", async () => {
    const http = `http://127.0.0.1:${c.spec("m1").httpPort}`;
    const health = await fetch(`${http}/healthz`);
    expect([health.status, await health.text()]).toEqual([200, "ok"]);
    expect((await fetch(`${http}/readyz`)).status).toBe(200);
    const st = await c.status("m1");
    expect(st.name).toBe("m1");
    expect(st.members.map((m) => m.name).sort()).toEqual(["m1", "m2", "m3"]);
    expect(st.leader).not.toBeNull();
    expect(st.pid).toBe(c.running.get("m1")!.child.pid);

    expect((await fetch(`${http}/nope`)).status).toBe(404);
    expect((await fetch(`${http}/admin/heal`)).status).toBe(405);
    expect((await c.admin("m1", "/admin/partition", "{not json")).code).toBe(400);
    const unknown = await c.admin("m1", "/admin/partition", JSON.stringify({ block: [{ peer: "m9" }] }));
    expect(unknown).toEqual({ code: 400, body: { error: 'unknown member "m9"' } });
    const badDir = await c.admin(
      "m1",
      "/admin/partition",
      JSON.stringify({ block: [{ peer: "m2", direction: "sideways" }] }),
    );
    expect(badDir.code).toBe(400);
    const delayed = await c.admin(
      "m1",
      "/admin/partition",
      JSON.stringify({ delay: [{ peer: "m2", ms: 30 }] }),
    );
    expect(delayed.body).toEqual({ blockedIn: [], blockedOut: [], delays: [{ peer: "m2", ms: 30 }] });
    expect((await c.status("m1")).partition).toEqual(delayed.body);
    await stillServes();
    expect((await c.admin("m1", "/admin/heal", "")).code).toBe(200);
  });

  it("isolates the leader with the partition API: the others elect a new one; heal brings it back", async () => {
    const old = await c.leader();
    const others = [...c.running.keys()].filter((n) => n !== old);
    const block = JSON.stringify({ block: others.map((peer) => ({ peer, direction: "both" })) });
    const res = await c.admin(old, "/admin/partition", block);
    expect(res.code).toBe(200);
    expect(res.body).toEqual({ blockedIn: others, blockedOut: others, delays: [] });
    const next = await c.leader(others, 15_000);
    expect(next).not.toBe(old);
    // Cut off from a quorum, the old leader steps down (CheckQuorum) and stops being ready.
    await waitFor(
      async () => (await fetch(`http://127.0.0.1:${c.spec(old).httpPort}/readyz`)).status === 503,
      "the isolated old leader to report not ready",
      10_000,
    );
    const healed = await c.admin(old, "/admin/heal", "");
    expect(healed.body).toEqual({ blockedIn: [], blockedOut: [], delays: [] });
    await c.leader(undefined, 15_000);
    await c.converged(undefined, 15_000);
  });

  it("a master given bad flags exits 2 naming the flag and the reason", async () => {
    const good: Record<string, string> = {
      name: "m1",
      "data-dir": `${c.root}/never-created`,
      "listen-peer": "127.0.0.1:1",
      "listen-client": "127.0.0.1:2",
      "listen-http": "127.0.0.1:3",
      "initial-cluster": "m1=http://127.0.0.1:1",
    };
    const argsWith = (change: Record<string, string | undefined>): string[] =>
      Object.entries({ ...good, ...change }).flatMap(([k, v]) => (v === undefined ? [] : [`--${k}`, v]));
    // The validation itself is covered case by case in services/control-plane/master/flags.test.ts.
    const cases: Array<[string[], RegExp]> = [
      [argsWith({ name: undefined }), /--name: is required/],
      [argsWith({ fsync: "maybe" }), /--fsync: must be on or off, got "maybe"/],
    ];
    await Promise.all(
      cases.map(async ([args, want]) => {
        const m = spawnMaster(args);
        const code = await m.exited;
        await waitFor(() => m.stderr.length > 0, "stderr", 2000).catch(() => {});
        expect(code, `${args.join(" ")}: ${m.stderr}`).toBe(2);
        expect(m.stderr).toMatch(want);
      }),
    );
  });

  it("logs its life as JSON lines and stops gracefully on SIGTERM with exit status 0", async () => {
    const m = c.running.get("m3")!;
    const ready = m.lines.find((l) => l.msg === "ready")!;
    expect(ready).toMatchObject({ level: "info", member: "m3", clientURL: `http://${c.client("m3")}` });
    expect(typeof ready["ts"]).toBe("string");
    expect(m.lines.some((l) => l.msg === "leader elected" && typeof l["term"] === "number")).toBe(true);
    expect(m.lines.some((l) => l.msg === "fsync off" && l.level === "warn")).toBe(true);
    expect(m.lines.filter((l) => l.msg === "(not json)")).toEqual([]);
    expect(await c.stopMember("m3", "SIGTERM")).toBe(0);
    expect(m.lines.slice(-2).map((l) => l.msg)).toEqual(["stopping", "stopped"]);
  });
});
