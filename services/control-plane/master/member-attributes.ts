/**
 * What the Raft runtime does not know about a member: its name and where it serves clients
 * and HTTP. Each master publishes its own record through Raft once per start (a reserved
 * entry kind, see state-machine.ts), so every member learns every other member's client URL
 * (needed to forward lease keep-alives to the leader) and name (MemberList, /status) from
 * the log, and a member restored from a snapshot learns them from the snapshot.
 *
 * Entry layout: [ATTRIBUTES_TAG][UTF-8 JSON {id, name, clientUrl, httpUrl}]. The MVCC
 * command format starts with its version byte (1), so the tag cannot collide with it.
 */

/** First byte of an attribute entry. */
export const ATTRIBUTES_TAG = 0xfa;

/** One member's published attributes. */
export interface MemberAttributes {
  /** The member's Raft id. */
  readonly id: number;
  readonly name: string;
  /** "http://host:port" of the etcd gRPC endpoint. */
  readonly clientUrl: string;
  /** "http://host:port" of /healthz, /status and the admin API. */
  readonly httpUrl: string;
}

export function encodeAttributes(a: MemberAttributes): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(a));
  const out = new Uint8Array(1 + json.byteLength);
  out[0] = ATTRIBUTES_TAG;
  out.set(json, 1);
  return out;
}

/** The attributes in an entry's data, or undefined when it is not a well-formed attribute entry. */
export function decodeAttributes(data: Uint8Array): MemberAttributes | undefined {
  if (data[0] !== ATTRIBUTES_TAG) return undefined;
  try {
    return parseAttributes(JSON.parse(new TextDecoder().decode(data.subarray(1))));
  } catch {
    return undefined;
  }
}

/** Validates one record; undefined when malformed (applied as a no-op by every member alike). */
export function parseAttributes(v: unknown): MemberAttributes | undefined {
  if (typeof v !== "object" || v === null) return undefined;
  const r = v as Record<string, unknown>;
  const { id, name, clientUrl, httpUrl } = r;
  if (typeof id !== "number" || !Number.isSafeInteger(id) || id <= 0) return undefined;
  if (typeof name !== "string" || typeof clientUrl !== "string" || typeof httpUrl !== "string")
    return undefined;
  return { id, name, clientUrl, httpUrl };
}

/** Member id → attributes, as of the state machine's applied index. Replicated state. */
export class AttributeTable {
  private readonly byId = new Map<number, MemberAttributes>();

  set(a: MemberAttributes): void {
    this.byId.set(a.id, a);
  }

  get(id: number): MemberAttributes | undefined {
    return this.byId.get(id);
  }

  /** The member that published `name` last (names are unique in a healthy cluster). */
  byName(name: string): MemberAttributes | undefined {
    for (const a of this.byId.values()) if (a.name === name) return a;
    return undefined;
  }

  /** Every record in id order (deterministic, for snapshots). */
  list(): MemberAttributes[] {
    return [...this.byId.values()].sort((a, b) => a.id - b.id);
  }

  replace(records: readonly MemberAttributes[]): void {
    this.byId.clear();
    for (const r of records) this.byId.set(r.id, r);
  }
}
