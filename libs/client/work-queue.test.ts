import { describe, expect, it } from "vitest";
import {
  BucketRateLimiter,
  defaultControllerRateLimiter,
  FakeClock,
  flushPromises,
  ItemExponentialFailureRateLimiter,
  RateLimitingQueue,
  WorkQueue,
  WorkQueueFullError,
} from "./index.js";

describe("WorkQueue", () => {
  it("collapses repeated adds of a waiting key into one", async () => {
    const q = new WorkQueue<string>();
    q.add("a");
    q.add("b");
    q.add("a");
    expect(q.len()).toBe(2);
    expect(await q.get()).toBe("a");
    expect(await q.get()).toBe("b");
    expect(q.len()).toBe(0);
  });

  it("never hands out a key that is being processed, and requeues it after done when added meanwhile", async () => {
    const q = new WorkQueue<string>();
    q.add("a");
    const first = await q.get();
    expect(first).toBe("a");
    q.add("a");
    q.add("a");
    expect(q.len()).toBe(0);
    let second: string | undefined;
    void q.get().then((k) => (second = k));
    await flushPromises();
    expect(second).toBeUndefined();
    q.done("a");
    await flushPromises();
    expect(second).toBe("a");
    q.done("a");
    expect(q.metrics()).toEqual({ depth: 0, processing: 0, adds: 2 });
  });

  it("does not requeue a key after done when nobody added it meanwhile", async () => {
    const q = new WorkQueue<string>();
    q.add("a");
    await q.get();
    q.done("a");
    expect(q.len()).toBe(0);
  });

  it("wakes a waiting get when a key is added", async () => {
    const q = new WorkQueue<string>();
    const pending = q.get();
    q.add("x");
    expect(await pending).toBe("x");
    expect(q.metrics().processing).toBe(1);
  });

  it("after shutDown ignores adds, hands out what was queued, then resolves undefined", async () => {
    const q = new WorkQueue<string>();
    q.add("a");
    q.shutDown();
    q.add("b");
    expect(q.shuttingDown()).toBe(true);
    expect(await q.get()).toBe("a");
    expect(await q.get()).toBeUndefined();
  });

  it("resolves waiting gets with undefined on shutDown", async () => {
    const q = new WorkQueue<string>();
    const pending = q.get();
    q.shutDown();
    expect(await pending).toBeUndefined();
  });

  it("shutDownWithDrain waits until every key handed out is done", async () => {
    const q = new WorkQueue<string>();
    q.add("a");
    await q.get();
    let drained = false;
    void q.shutDownWithDrain().then(() => (drained = true));
    await flushPromises();
    expect(drained).toBe(false);
    q.done("a");
    await flushPromises();
    expect(drained).toBe(true);
  });

  it("refuses keys beyond lengthMax", () => {
    const q = new WorkQueue<number>({ lengthMax: 2 });
    q.add(1);
    q.add(2);
    q.add(2);
    expect(() => q.add(3)).toThrow(WorkQueueFullError);
  });
});

describe("rate limiters", () => {
  it("per-item backoff doubles from 5 ms up to 1000 s and restarts after forget", () => {
    const l = new ItemExponentialFailureRateLimiter<string>();
    expect([l.when("a"), l.when("a"), l.when("a"), l.when("b")]).toEqual([5, 10, 20, 5]);
    for (let i = 0; i < 40; i++) l.when("a");
    expect(l.when("a")).toBe(1_000_000);
    expect(l.numRequeues("a")).toBe(44);
    l.forget("a");
    expect(l.numRequeues("a")).toBe(0);
    expect(l.when("a")).toBe(5);
  });

  it("the token bucket allows a burst of 100 then 10 per second", async () => {
    const clock = new FakeClock();
    const l = new BucketRateLimiter<string>(10, 100, clock);
    for (let i = 0; i < 100; i++) expect(l.when("k")).toBe(0);
    expect(l.when("k")).toBe(100);
    expect(l.when("k")).toBe(200);
    await clock.advance(300);
    expect(l.when("k")).toBe(0);
    expect(l.when("k")).toBe(100);
  });

  it("the default controller limiter takes the larger of both delays", () => {
    const clock = new FakeClock();
    const l = defaultControllerRateLimiter<string>(clock);
    for (let i = 0; i < 100; i++) l.when(`k${i}`);
    expect(l.when("fresh")).toBe(100);
    expect(l.numRequeues("fresh")).toBe(1);
  });
});

describe("RateLimitingQueue", () => {
  it("addAfter adds the key once the delay has passed on the clock", async () => {
    const clock = new FakeClock();
    const q = new RateLimitingQueue<string>({ clock });
    q.addAfter("a", 100);
    expect(q.len()).toBe(0);
    await clock.advance(99);
    expect(q.len()).toBe(0);
    await clock.advance(1);
    expect(q.len()).toBe(1);
    expect(q.waitingLen()).toBe(0);
  });

  it("a key waiting twice keeps its earlier time", async () => {
    const clock = new FakeClock();
    const q = new RateLimitingQueue<string>({ clock });
    q.addAfter("a", 500);
    q.addAfter("a", 100);
    q.addAfter("a", 900);
    expect(q.waitingLen()).toBe(1);
    await clock.advance(100);
    expect(q.len()).toBe(1);
    await q.get();
    q.done("a");
    await clock.advance(1_000);
    expect(q.len()).toBe(0);
  });

  it("fires delayed keys in due order", async () => {
    const clock = new FakeClock();
    const q = new RateLimitingQueue<string>({ clock });
    q.addAfter("c", 30);
    q.addAfter("a", 10);
    q.addAfter("b", 20);
    await clock.advance(30);
    expect([await q.get(), await q.get(), await q.get()]).toEqual(["a", "b", "c"]);
  });

  it("addRateLimited backs a failing key off exponentially and forget resets it", async () => {
    const clock = new FakeClock();
    const q = new RateLimitingQueue<string>({
      clock,
      rateLimiter: new ItemExponentialFailureRateLimiter(5, 1_000),
    });
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      const start = clock.now();
      q.addRateLimited("k");
      while (q.len() === 0) await clock.advance(1);
      delays.push(clock.now() - start);
      await q.get();
      q.done("k");
    }
    expect(delays).toEqual([5, 10, 20, 40]);
    expect(q.numRequeues("k")).toBe(4);
    q.forget("k");
    expect(q.numRequeues("k")).toBe(0);
  });

  it("drops delayed keys on shutDown", async () => {
    const clock = new FakeClock();
    const q = new RateLimitingQueue<string>({ clock });
    q.addAfter("a", 10);
    q.shutDown();
    await clock.advance(100);
    expect(q.len()).toBe(0);
    expect(clock.pendingTimers()).toBe(0);
  });
});
