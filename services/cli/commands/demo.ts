import {
  bootstrap,
  MemoryStorage,
  type Message,
  type NodeId,
  nodeId,
  type RaftLogger,
  RawNode,
  seededRng,
} from "../../../libs/raft/index.js";
import { intFlag, parseFlags } from "./flags.js";

const TICK_MS = 100;

interface Member {
  name: string;
  storage: MemoryStorage;
  node: RawNode | undefined; // undefined while "killed"
  applied: number;
}

/**
 * `flotilla demo`: an in-process cluster of Raft cores driven by a real 100 ms timer, the
 * default election timeout (10 ticks, randomized to [10, 20)), and a scripted failure: the
 * leader is killed, the rest elect a new one, writes go on, the old leader comes back and
 * catches up. The same core runs in the master process; here the network is in memory.
 */
export async function runDemo(argv: string[]): Promise<number> {
  const flags = parseFlags(argv, { masters: "3", seconds: "12", seed: "1" });
  const n = intFlag(flags, "masters", 1, 9);
  const seconds = intFlag(flags, "seconds", 6, 600);
  const seed = intFlag(flags, "seed", 0, 2 ** 31);
  const ids = Array.from({ length: n }, (_, i) => nodeId(i + 1));
  const members = new Map<NodeId, Member>();
  const rng = seededRng(seed);
  const say = (line: string) => console.log(`${(performance.now() / 1000).toFixed(1).padStart(6)}s  ${line}`);

  for (const id of ids) {
    const storage = new MemoryStorage();
    bootstrap(storage, ids);
    members.set(id, { name: `m${id}`, storage, node: undefined, applied: 0 });
  }
  const start = (id: NodeId) => {
    const m = members.get(id)!;
    const logger: RaftLogger = {
      info: (s) => {
        // The core names nodes by number; the demo names them m1, m2, ...
        if (/became (leader|candidate)|starting a new election/.test(s)) say(s.replace(/^\d+/, m.name));
      },
      warn: (s) => say(`${m.name}: warning: ${s}`),
    };
    m.node = new RawNode({
      id,
      storage: m.storage,
      rng: seededRng(rng.intn(2 ** 31)),
      applied: m.applied,
      logger,
    });
  };
  for (const id of ids) start(id);
  say(
    `started ${n} masters (${ids.map((id) => `m${id}`).join(", ")}); tick ${TICK_MS} ms, election timeout 10-20 ticks`,
  );

  const leader = (): NodeId | undefined => {
    for (const [id, m] of members) if (m.node?.status().role === "leader") return id;
    return undefined;
  };
  let writes = 0;
  let killed: NodeId | undefined;
  let killedAt = 0;
  let ticks = 0;
  const totalTicks = (seconds * 1000) / TICK_MS;

  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      ticks++;
      for (const m of members.values()) m.node?.tick();
      const lead = leader();
      if (lead !== undefined && ticks % 5 === 0) {
        const res = members.get(lead)!.node!.propose(new TextEncoder().encode(`write-${++writes}`));
        if (!res.ok) say(`write refused: ${res.reason}`);
      }
      if (killed === undefined && lead !== undefined && ticks >= totalTicks / 3) {
        killed = lead;
        killedAt = ticks;
        members.get(lead)!.node = undefined;
        say(`*** killed the leader m${lead}: the others will elect a new one`);
      }
      if (killed !== undefined && killedAt > 0 && ticks === killedAt + Math.floor(totalTicks / 3)) {
        say(`*** restarting m${killed}: it rejoins as a follower and catches up`);
        start(killed);
        killedAt = -1;
      }
      pump(members);
      if (ticks >= totalTicks) {
        clearInterval(timer);
        resolve();
      }
    }, TICK_MS);
  });

  for (const m of members.values()) {
    const st = m.node?.status();
    say(`${m.name}: role=${st?.role ?? "down"} term=${st?.term} commit=${st?.commit} applied=${m.applied}`);
  }
  const applied = [...members.values()].map((m) => m.applied);
  const converged = applied.every((a) => a === applied[0]);
  say(
    converged
      ? `all ${n} masters applied the same ${applied[0]} entries`
      : `masters differ in applied index: ${applied}`,
  );
  return converged ? 0 : 1;
}

/** Runs the Ready loop of every live node until no messages are left in flight. */
function pump(members: Map<NodeId, Member>): void {
  for (let round = 0; round < 50; round++) {
    const inflight: Message[] = [];
    for (const m of members.values()) {
      const node = m.node;
      if (!node?.hasReady()) continue;
      const rd = node.ready();
      if (rd.snapshot) m.storage.applySnapshot(rd.snapshot);
      m.storage.append(rd.entries);
      if (rd.hardState) m.storage.setHardState(rd.hardState);
      inflight.push(...rd.messages);
      const last = rd.committedEntries[rd.committedEntries.length - 1];
      if (last) m.applied = last.index;
      node.advance(rd);
    }
    if (inflight.length === 0) return;
    for (const msg of inflight) members.get(msg.to)?.node?.step(msg);
  }
}
