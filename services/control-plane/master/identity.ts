/**
 * The data dir remembers whose it is: `member.json` ({name, id, clusterId}) is written on the
 * first start, atomically (temp file, fsync, rename), and checked on every later one, so a
 * data dir handed to another member, another cluster, or a member whose peer address
 * changed (and so its id) is refused with a clear error instead of corrupting the cluster.
 */
import { mkdir, open, readFile, rename } from "node:fs/promises";
import { join } from "node:path";

export interface MemberIdentity {
  readonly name: string;
  readonly id: number;
  readonly clusterId: string;
}

/** The data dir belongs to another member or cluster. */
export class IdentityMismatchError extends Error {
  override readonly name = "IdentityMismatchError";
}

const FILE = "member.json";

/** Records `want` in a fresh data dir, or checks it against the recorded identity. */
export async function checkIdentity(dataDir: string, want: MemberIdentity): Promise<"created" | "matched"> {
  await mkdir(dataDir, { recursive: true });
  const path = join(dataDir, FILE);
  let text: string | undefined;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
  }
  if (text === undefined) {
    const tmp = `${path}.tmp`;
    const f = await open(tmp, "w");
    try {
      await f.writeFile(`${JSON.stringify(want)}\n`);
      await f.sync();
    } finally {
      await f.close();
    }
    await rename(tmp, path);
    return "created";
  }
  let had: Partial<MemberIdentity>;
  try {
    had = JSON.parse(text) as Partial<MemberIdentity>;
  } catch {
    throw new IdentityMismatchError(
      `${path} is not valid JSON; remove it only if the data dir is this member's`,
    );
  }
  const problems: string[] = [];
  if (had.clusterId !== want.clusterId)
    problems.push(`cluster ${had.clusterId} (this start: ${want.clusterId}; check --initial-cluster-token)`);
  if (had.id !== want.id)
    problems.push(
      `member id ${had.id} (this start: ${want.id}; the id follows this member's peer URL in --initial-cluster)`,
    );
  if (had.name !== want.name) problems.push(`member name ${had.name} (this start: ${want.name})`);
  if (problems.length > 0)
    throw new IdentityMismatchError(`data dir ${dataDir} belongs to ${problems.join(", ")}`);
  return "matched";
}
