import BTreeMod from "sorted-btree";
import { OrderedMap } from "@js-sdsl/ordered-map";
const BTree = (BTreeMod as unknown as { default: typeof BTreeMod }).default ?? BTreeMod;
const N = 1_000_000;
const keys: string[] = [];
for (let i = 0; i < N; i++) keys.push(("/registry/pods/" + String((i * 7919) % N).padStart(8, "0")).slice(0));
const g = (globalThis as unknown as { gc: () => void }).gc;
function heap() { g(); g(); return process.memoryUsage().heapUsed; }
const which = process.argv[2];
const h0 = heap();
let s = performance.now();
let keep: unknown;
if (which === "btree") { const bt = new BTree<string, number>(undefined, (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)); for (let i = 0; i < N; i++) bt.set(keys[i]!, i); keep = bt; }
else if (which === "omap") { const om = new OrderedMap<string, number>([], (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)); for (let i = 0; i < N; i++) om.setElement(keys[i]!, i); keep = om; }
else { const m = new Map<string, number>(); for (let i = 0; i < N; i++) m.set(keys[i]!, i); keep = m; }
console.log(which, "insert ms", (performance.now() - s).toFixed(0), "bytes/key", ((heap() - h0) / N).toFixed(1), keep !== undefined);
