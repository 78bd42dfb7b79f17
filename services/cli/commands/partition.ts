/**
 * `flotilla partition MEMBER --from m2,m3`: cuts MEMBER off from those peers (both
 * directions) through the admin API of MEMBER (`--from all`: from every other member); `flotilla partition --heal` lifts every cut on
 * every member. Optional `--delay MS` slows MEMBER's links to them instead of cutting them.
 */
import { DEFAULT_CLUSTER_DIR, findMember, httpURL, readCluster } from "../support/cluster-dir.js";
import { CliError, parseCommand, UsageError, usageCheck } from "../support/errors.js";
import { postJson } from "../support/http-client.js";
import { resolveMember } from "../support/probe.js";
import { intFlag } from "./flags.js";

const USAGE =
  "flotilla partition MEMBER|leader --from m2,m3|all [--delay MS] [--dir .flotilla]  |  flotilla partition --heal [--dir .flotilla]";

export async function runPartition(argv: readonly string[]): Promise<number> {
  const args = parseCommand(
    argv,
    { values: { dir: DEFAULT_CLUSTER_DIR, from: "", delay: "" }, switches: ["heal"] },
    USAGE,
  );
  const dir = args.values["dir"]!;
  const rec = readCluster(dir);
  if (args.switches.has("heal")) {
    if (args.given.has("from") || args.given.has("delay"))
      throw new UsageError("--heal takes no --from or --delay", USAGE);
    const only = args.positionals.length
      ? [await resolveMember(dir, rec, args.positionals[0]!)]
      : rec.members;
    const results = await Promise.all(
      only.map(async (m) => [m, await postJson(httpURL(m), "/admin/heal", {})] as const),
    );
    for (const [m, r] of results) console.log(`${m.name}: ${r.ok ? "healed" : `not healed: ${r.error}`}`);
    return results.every(([, r]) => r.ok) ? 0 : 1;
  }
  if (args.positionals.length !== 1) throw new UsageError("name one member to partition", USAGE);
  if (!args.given.has("from")) throw new UsageError("say which peers to cut it from: --from m2,m3", USAGE);
  const m = await resolveMember(dir, rec, args.positionals[0]!);
  const from = args.values["from"]!;
  const peers = (
    from === "all"
      ? rec.members
          .filter((x) => x.name !== m.name)
          .map((x) => x.name)
          .join(",")
      : from
  )
    .split(",")
    .map((p) => p.trim())
    .filter((p) => p !== "");
  for (const p of peers) {
    findMember(rec, p, dir);
    if (p === m.name) throw new UsageError(`${m.name} cannot be cut off from itself`, USAGE);
  }
  if (peers.length === 0) throw new UsageError("--from needs at least one member", USAGE);
  const body = args.given.has("delay")
    ? {
        block: [],
        delay: peers.map((peer) => ({
          peer,
          ms: usageCheck(USAGE, () => intFlag(args.values, "delay", 1, 60_000)),
        })),
      }
    : { block: peers.map((peer) => ({ peer, direction: "both" })), delay: [] };
  const r = await postJson(httpURL(m), "/admin/partition", body);
  if (!r.ok)
    throw new CliError(
      `${m.name} refused the partition: ${r.error}; is it running? \`flotilla status\` shows it`,
    );
  const what = args.given.has("delay")
    ? `delays its messages to ${peers.join(", ")} by ${args.values["delay"]} ms`
    : `is cut off from ${peers.join(", ")}`;
  console.log(`${m.name} ${what}. \`flotilla partition --heal\` undoes it.`);
  return 0;
}
