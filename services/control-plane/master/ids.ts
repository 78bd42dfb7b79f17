/**
 * Member and cluster ids, derived rather than chosen, so every master computes the same ids
 * from its flags without talking to the others (etcd hashes names and URLs the same way).
 *
 * Ids are 52-bit: the Raft core's NodeId is a positive safe integer, and etcd clients see
 * them as uint64 (decimal on the wire, hex in etcdctl), which a 52-bit number always is.
 *
 * A member's id hashes the cluster token and its peer address ("host:port"). Not its name:
 * etcd's MemberAdd carries peer URLs and no name (`etcdctl member add m4` keeps the name to
 * itself), so the peer address is the one thing both the member that adds and the process
 * started with `--join` know. Founding members use the same rule, so an id never depends on
 * how the member came in. The data dir records the id (identity.ts), so a restart with a
 * changed peer address is refused rather than silently becoming another member.
 */
import { createHash } from "node:crypto";
import { type NodeId, nodeId } from "../../../libs/raft/index.js";

/** The default of --initial-cluster-token, as etcd's "etcd-cluster". */
export const DEFAULT_CLUSTER_TOKEN = "flotilla-cluster";

const ID_BITS_MASK = (1n << 52n) - 1n;

/** A nonzero 52-bit id from `text`. */
function hash52(text: string): NodeId {
  const h = createHash("sha256").update(text).digest().readBigUInt64BE(0) & ID_BITS_MASK;
  return nodeId(Number(h === 0n ? 1n : h));
}

/** The id of the member whose peer transport listens at `peerAddr` ("host:port"). */
export function memberIdOf(token: string, peerAddr: string): NodeId {
  return hash52(`flotilla/member-peer/${token}/${peerAddr}`);
}

/** The cluster id (uint64 decimal string, as the runtime and etcd headers want it). */
export function clusterIdFromToken(token: string): string {
  return String(hash52(`flotilla/cluster/${token}`));
}

/**
 * "host:port" of a peer URL such as "http://127.0.0.1:2380" (the form the Raft transport
 * dials). Throws TypeError for a URL that is not http(s) with a host and an explicit port.
 */
export function peerAddress(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new TypeError(`"${url}" is not a URL (expected http://HOST:PORT)`);
  }
  if (u.protocol !== "http:" && u.protocol !== "https:")
    throw new TypeError(`"${url}" must start with http:// (got ${u.protocol})`);
  if (u.hostname === "") throw new TypeError(`"${url}" has no host`);
  if (u.port === "") throw new TypeError(`"${url}" has no port`);
  if (u.pathname !== "/" && u.pathname !== "") throw new TypeError(`"${url}" must not have a path`);
  return `${u.hostname}:${u.port}`;
}
