/**
 * MVCC benchmark: apply throughput, range latency over 1,000,000 keys, memory per key, and
 * watch fan-out to 10,000 watchers. Runs in well under two minutes on two cores.
 *
 *   npm run bench:mvcc
 *   NODE_OPTIONS=--expose-gc npm run bench:mvcc   # exact memory per key
 *
 * Without --expose-gc the memory figure is taken without a forced collection and is marked
 * approximate. Timing uses performance.now(); the store itself never reads a clock.
 */
import { type Command, encodeCommand, MvccStore } from "../../libs/mvcc/index.js";

const gc = (globalThis as { gc?: () => void }).gc;

/** V8 heap and ArrayBuffer backing stores (values above 64 bytes live outside the heap). */
function memoryBytes(): { heap: number; buffers: number } {
  if (gc !== undefined) {
    gc();
    gc();
  }
  const m = process.memoryUsage();
  return { heap: m.heapUsed, buffers: m.arrayBuffers };
}

function pct(sortedUs: Float64Array, p: number): number {
  return sortedUs[Math.min(sortedUs.length - 1, Math.floor((sortedUs.length * p) / 100))]!;
}

function fmt(n: number, digits = 0): string {
  return n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

/** A deterministic xorshift generator: benchmarks repeat exactly. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
}

function key8(i: number): Uint8Array {
  // Scrambled so inserts land all over the ordered index, as real keys do.
  const x = Math.imul(i, 0x9e3779b1) >>> 0;
  const k = new Uint8Array(8);
  new DataView(k.buffer).setUint32(0, x);
  new DataView(k.buffer).setUint32(4, i);
  return k;
}

function benchApply(): void {
  const n = 200_000;
  const value = new Uint8Array(256).fill(7);
  const commands: Command[] = [];
  for (let i = 0; i < n; i++) commands.push({ type: "put", put: { key: key8(i), value } });
  const entries = commands.map(encodeCommand);

  const decoded = new MvccStore();
  let t0 = performance.now();
  for (let i = 0; i < n; i++) decoded.apply(i + 1, commands[i]!);
  const decodedMs = performance.now() - t0;

  const fromBytes = new MvccStore();
  t0 = performance.now();
  for (let i = 0; i < n; i++) fromBytes.applyEntry(i + 1, entries[i]!);
  const bytesMs = performance.now() - t0;

  const overwrite = n / 2;
  t0 = performance.now();
  for (let i = 0; i < overwrite; i++) fromBytes.applyEntry(n + i + 1, entries[i]!);
  const overwriteMs = performance.now() - t0;

  console.log("apply throughput (puts, 8-byte keys, 256-byte values)");
  console.log(`  new keys, decoded commands    ${fmt((n / decodedMs) * 1000)} entries/s`);
  console.log(`  new keys, decode + apply      ${fmt((n / bytesMs) * 1000)} entries/s`);
  console.log(`  overwrites, decode + apply    ${fmt((overwrite / overwriteMs) * 1000)} entries/s`);
}

function rangeKey(i: number): Uint8Array {
  return new TextEncoder().encode(`/r/${String(i).padStart(7, "0")}`);
}

function benchRangeAndMemory(): void {
  const n = 1_000_000;
  const value = new Uint8Array(256).fill(1);
  const before = memoryBytes();
  const store = new MvccStore();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    // Each value its own buffer, as values decoded from separate Raft entries are.
    store.apply(i + 1, { type: "put", put: { key: rangeKey(i), value: value.slice() } });
  }
  const loadMs = performance.now() - t0;
  const after = memoryBytes();

  const next = rng(42);
  const samples = 200_000;
  const getUs = new Float64Array(samples);
  for (let s = 0; s < samples; s++) {
    const k = rangeKey(next() % n);
    const a = performance.now();
    const r = store.range({ key: k });
    getUs[s] = (performance.now() - a) * 1000;
    if (!r.ok || r.value.range.kvs.length !== 1) throw new Error("get missed");
  }
  getUs.sort();

  const prefixSamples = 50_000;
  const prefixUs = new Float64Array(prefixSamples);
  for (let s = 0; s < prefixSamples; s++) {
    const p = next() % (n / 10);
    const key = new TextEncoder().encode(`/r/${String(p).padStart(6, "0")}`);
    const end = key.slice();
    end[end.length - 1]! += 1;
    const a = performance.now();
    const r = store.range({ key, rangeEnd: end });
    prefixUs[s] = (performance.now() - a) * 1000;
    if (!r.ok || r.value.range.kvs.length !== 10) throw new Error("prefix range missed");
  }
  prefixUs.sort();

  console.log(`range over ${fmt(n)} keys (loaded in ${fmt(loadMs / 1000, 1)} s)`);
  console.log(`  single-key get       p50 ${fmt(pct(getUs, 50), 1)} µs   p99 ${fmt(pct(getUs, 99), 1)} µs`);
  console.log(
    `  prefix of 10 keys    p50 ${fmt(pct(prefixUs, 50), 1)} µs   p99 ${fmt(pct(prefixUs, 99), 1)} µs`,
  );
  const heapPerKey = (after.heap - before.heap) / n;
  const buffersPerKey = (after.buffers - before.buffers) / n;
  const note = gc === undefined ? " (approximate: run with NODE_OPTIONS=--expose-gc for a forced gc)" : "";
  console.log(`memory per key (10-byte key, 256-byte value, one revision)${note}`);
  console.log(`  ${fmt(heapPerKey)} bytes of V8 heap + ${fmt(buffersPerKey)} bytes of ArrayBuffer storage`);
  if (store.keyCount !== n) throw new Error("lost keys");
}

function benchWatchFanOut(): void {
  const watchers = 10_000;
  const puts = 50;
  const store = new MvccStore();
  const key = new TextEncoder().encode("/hot/key");
  const ws = [];
  for (let i = 0; i < watchers; i++) ws.push(store.watches.watch({ key }));
  const value = new Uint8Array(256);
  let applyMs = 0;
  let pollMs = 0;
  let delivered = 0;
  for (let p = 0; p < puts; p++) {
    const a = performance.now();
    store.apply(p + 1, { type: "put", put: { key, value } });
    const b = performance.now();
    for (const w of ws) for (const r of w.poll()) if (r.kind === "events") delivered += r.events.length;
    pollMs += performance.now() - b;
    applyMs += b - a;
  }
  if (delivered !== watchers * puts) throw new Error(`delivered ${delivered}`);
  console.log(`watch fan-out (${fmt(watchers)} watchers on one key, ${puts} puts)`);
  console.log(`  apply of one put, queued to every watcher   ${fmt(applyMs / puts, 2)} ms`);
  console.log(`  queued + polled by every watcher            ${fmt((applyMs + pollMs) / puts, 2)} ms`);
  console.log(
    `  events delivered                            ${fmt((delivered / (applyMs + pollMs)) * 1000)} events/s`,
  );
}

const started = performance.now();
console.log(`flotilla mvcc bench — node ${process.version}`);
benchApply();
benchWatchFanOut();
benchRangeAndMemory();
console.log(`done in ${fmt((performance.now() - started) / 1000, 1)} s`);
