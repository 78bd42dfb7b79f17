/**
 * The Watch stream with a raw client: ids, response order, cancel, progress, filters,
 * compaction, and flow control against a client that stops reading.
 */
import type { Client, ClientDuplexStream } from "@grpc/grpc-js";
import { afterEach, describe, expect, it } from "vitest";
import { ManualClock } from "./clock.js";
import { callUnary, type FakeCluster, rawClient, startFakeCluster } from "./testing.js";

interface Resp {
  header: { revision: string };
  watch_id: string;
  created: boolean;
  canceled: boolean;
  compact_revision: string;
  cancel_reason: string;
  events: {
    type: string;
    kv: { key: Buffer; value: Buffer; mod_revision: string };
    prev_kv: { value: Buffer } | null;
  }[];
}

const b = (s: string): Buffer => Buffer.from(s);

/** A watch stream whose responses are read one at a time, with a deadline. */
class RawWatch {
  readonly call: ClientDuplexStream<object, Resp>;
  private readonly inbox: Resp[] = [];
  private waiter: (() => void) | undefined;

  constructor(readonly client: Client) {
    this.call = (client as unknown as { Watch(): ClientDuplexStream<object, Resp> }).Watch();
    this.call.on("data", (r: Resp) => {
      this.inbox.push(r);
      this.waiter?.();
    });
    this.call.on("error", () => {});
  }

  create(req: object): void {
    this.call.write({ create_request: req });
  }

  async next(timeoutMs = 5000): Promise<Resp> {
    const deadline = Date.now() + timeoutMs;
    while (this.inbox.length === 0) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error("no watch response in time");
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.waiter = undefined;
    }
    return this.inbox.shift()!;
  }

  /** Nothing arrives within `ms`. */
  async quiet(ms = 150): Promise<boolean> {
    await new Promise((r) => setTimeout(r, ms));
    return this.inbox.length === 0;
  }
}

function summary(r: Resp): string[] {
  return r.events.map(
    (e) => `${e.type} ${e.kv.key.toString()}=${e.kv.value.toString()}@${e.kv.mod_revision}`,
  );
}

describe("Watch stream", () => {
  let cluster: FakeCluster;
  let kv: Client;
  let watch: RawWatch;
  const open = async (options: Parameters<typeof startFakeCluster>[0] = {}): Promise<void> => {
    cluster = await startFakeCluster(options);
    kv = rawClient(cluster.endpoint, "KV");
    watch = new RawWatch(rawClient(cluster.endpoint, "Watch"));
  };
  const put = async (key: string, value: string): Promise<number> => {
    const r = await callUnary<{ header: { revision: string } }>(kv, "Put", { key: b(key), value: b(value) });
    if (!r.ok) throw r.error;
    return Number(r.value.header.revision);
  };
  afterEach(async () => {
    watch.call.cancel();
    watch.client.close();
    kv.close();
    await cluster.close();
  });

  it("generated ids count from 0, a client's id is kept, a duplicate id is refused", async () => {
    await open();
    watch.create({ key: b("a") });
    watch.create({ key: b("b") });
    watch.create({ key: b("c"), watch_id: 7 });
    watch.create({ key: b("d"), watch_id: 7 });
    const created = [await watch.next(), await watch.next(), await watch.next()];
    expect(created.map((r) => [r.watch_id, r.created, r.canceled])).toEqual([
      ["0", true, false],
      ["1", true, false],
      ["7", true, false],
    ]);
    const dup = await watch.next();
    expect(dup).toMatchObject({ watch_id: "-1", created: true, canceled: true });
    expect(dup.cancel_reason).toBe("mvcc: duplicate watch ID provided on the WatchStream");
    await put("c", "1");
    const ev = await watch.next();
    expect(ev.watch_id).toBe("7");
    expect(summary(ev)).toEqual([`PUT c=1@${cluster.backend.store.currentRevision}`]);
  });

  it("the created response precedes events, and its header has the revision the watch starts after", async () => {
    await open();
    const rev = await put("k", "0");
    watch.create({ key: b("k"), prev_kv: true });
    const created = await watch.next();
    expect(created.created).toBe(true);
    expect(Number(created.header.revision)).toBe(rev);
    await put("k", "1");
    const ev = await watch.next();
    expect(summary(ev)).toEqual([`PUT k=1@${rev + 1}`]);
    expect(ev.events[0]!.prev_kv?.value.toString()).toBe("0");
    expect(Number(ev.header.revision)).toBe(rev + 1);
  });

  it("after its canceled response a watch sends nothing; canceling an unknown id gets no response", async () => {
    await open();
    watch.create({ key: b("x") });
    const { watch_id } = await watch.next();
    watch.call.write({ cancel_request: { watch_id } });
    expect(await watch.next()).toMatchObject({ watch_id, canceled: true, created: false });
    await put("x", "after-cancel");
    watch.call.write({ cancel_request: { watch_id: 99 } });
    expect(await watch.quiet()).toBe(true);
  });

  it("a progress request is answered with id -1 and the current revision", async () => {
    await open();
    watch.create({ key: b("p") });
    await watch.next();
    const rev = await put("other", "1");
    watch.call.write({ progress_request: {} });
    const r = await watch.next();
    expect(r).toMatchObject({ watch_id: "-1", created: false, canceled: false, events: [] });
    expect(Number(r.header.revision)).toBe(rev);
  });

  it("watches that asked for progress_notify get a periodic progress response on the backend's clock", async () => {
    const clock = new ManualClock();
    await open({ clock, backend: { progressNotifyIntervalMs: 1000 } });
    watch.create({ key: b("quiet"), progress_notify: true });
    watch.create({ key: b("silent") });
    const [withProgress] = [(await watch.next()).watch_id, (await watch.next()).watch_id];
    const rev = await put("elsewhere", "1");
    clock.advance(1000);
    const r = await watch.next();
    expect(r).toMatchObject({ watch_id: withProgress, created: false, canceled: false, events: [] });
    expect(Number(r.header.revision)).toBe(rev);
    expect(await watch.quiet()).toBe(true);
  });

  it("NOPUT and NODELETE filters drop event types; a key range selects [key, range_end)", async () => {
    await open();
    watch.create({ key: b("a"), range_end: b("c"), filters: ["NOPUT"] });
    watch.create({ key: b("a"), range_end: b("c"), filters: ["NODELETE"] });
    const [noPut, noDelete] = [(await watch.next()).watch_id, (await watch.next()).watch_id];
    await put("b", "1");
    await put("c", "outside");
    await callUnary(kv, "DeleteRange", { key: b("b") });
    const got = [await watch.next(), await watch.next()];
    const byId = Object.fromEntries(got.map((r) => [r.watch_id, summary(r).map((s) => s.split("@")[0])]));
    expect(byId).toEqual({ [noDelete]: ["PUT b=1"], [noPut]: ["DELETE b="] });
  });

  it("an empty key range is refused at create; an empty key with range_end \\0 watches everything", async () => {
    await open();
    watch.create({ key: b("z"), range_end: b("a") });
    expect(await watch.next()).toMatchObject({
      created: true,
      canceled: true,
      cancel_reason: "mvcc: watcher range is empty",
    });
    watch.create({ key: b(""), range_end: Buffer.from([0]) });
    await watch.next();
    await put("anything", "1");
    expect(summary(await watch.next()).map((s) => s.split("@")[0])).toEqual(["PUT anything=1"]);
  });

  it("a watch from a compacted revision is created, then canceled with the compact revision", async () => {
    await open();
    await put("h", "1");
    const rev = await put("h", "2");
    expect((await callUnary(kv, "Compact", { revision: rev })).ok).toBe(true);
    watch.create({ key: b("h"), start_revision: 1 });
    expect((await watch.next()).created).toBe(true);
    const r = await watch.next();
    expect(r).toMatchObject({ canceled: true, compact_revision: String(rev) });
    expect(r.cancel_reason).toBe("etcdserver: mvcc: required revision has been compacted");
  });

  it("a client that stops reading loses nothing: the hub sheds its queue and catches up from history", async () => {
    await open({ backend: { store: { watch: { queueEventsMax: 8 } } } });
    watch.create({ key: b("/flood/"), range_end: b("/flood0") });
    await watch.next();
    watch.call.pause();
    const value = "v".repeat(1024);
    const first = await put("/flood/0", value);
    const n = 3000;
    for (let i = 1; i < n; i++) await put(`/flood/${i}`, value);
    // The server did not buffer 3 MB for this stream: the watcher fell behind in the hub.
    expect(cluster.backend.store.watches.counts.unsynced).toBe(1);
    watch.call.resume();
    const revs: number[] = [];
    while (revs.length < n) {
      const r = await watch.next();
      for (const e of r.events) revs.push(Number(e.kv.mod_revision));
    }
    expect(revs).toEqual(Array.from({ length: n }, (_, i) => first + i));
    await put("/flood/live", "1");
    expect(summary(await watch.next())[0]).toMatch(/^PUT \/flood\/live=1@/);
  });
});
