/**
 * etcd's Cluster service: membership as the backend's Raft sees it. Changes resolve once
 * applied on this member, so the member list in each response includes them.
 */
import type { UntypedServiceImplementation } from "@grpc/grpc-js";
import type { EtcdBackend, Member } from "./backend.js";
import { currentHeader, type ServiceContext, unary } from "./context.js";
import { InvalidArgumentError, MemberBadUrlsError } from "./errors.js";
import type { WireLong, WireMember } from "./wire.js";

export function memberToWire(m: Member): WireMember {
  return { ID: m.id, name: m.name, peerURLs: m.peerUrls, clientURLs: m.clientUrls, isLearner: m.isLearner };
}

/** A member id as a canonical uint64 decimal string; 0 and malformed ids are refused. */
export function memberIdOf(value: WireLong, field: string): string {
  const s = String(value);
  if (!/^\d{1,20}$/.test(s) || BigInt(s) === 0n || BigInt(s) > 0xffff_ffff_ffff_ffffn)
    throw new InvalidArgumentError(`${field} is not a member id: ${s}`);
  return BigInt(s).toString();
}

const URL_SCHEMES = new Set(["http:", "https:", "unix:", "unixs:"]);

/** As etcd's types.NewURLs: absolute http(s)/unix(s) URLs with a host and no path. */
function checkPeerUrls(urls: readonly string[]): void {
  if (urls.length === 0) throw new MemberBadUrlsError();
  for (const u of urls) {
    let parsed: URL;
    try {
      parsed = new URL(u);
    } catch (cause) {
      throw new MemberBadUrlsError({ cause });
    }
    if (
      !URL_SCHEMES.has(parsed.protocol) ||
      parsed.host === "" ||
      (parsed.pathname !== "" && parsed.pathname !== "/")
    )
      throw new MemberBadUrlsError();
  }
}

function membersResponse(backend: EtcdBackend): { header: object; members: WireMember[] } {
  return { header: currentHeader(backend), members: backend.members().map(memberToWire) };
}

export function clusterService(ctx: ServiceContext): UntypedServiceImplementation {
  const { backend } = ctx;
  return {
    MemberList: unary<{ linearizable: boolean }, object>(async (req) => {
      if (req.linearizable) await backend.readIndex();
      return membersResponse(backend);
    }),

    MemberAdd: unary<{ peerURLs: string[]; isLearner: boolean }, object>(async (req) => {
      checkPeerUrls(req.peerURLs);
      const member = await backend.memberAdd(req.peerURLs, req.isLearner);
      return { ...membersResponse(backend), member: memberToWire(member) };
    }),

    MemberRemove: unary<{ ID: WireLong }, object>(async (req) => {
      await backend.memberRemove(memberIdOf(req.ID, "ID"));
      return membersResponse(backend);
    }),

    MemberUpdate: unary<{ ID: WireLong; peerURLs: string[] }, object>(async (req) => {
      const id = memberIdOf(req.ID, "ID");
      checkPeerUrls(req.peerURLs);
      await backend.memberUpdate(id, req.peerURLs);
      return membersResponse(backend);
    }),

    MemberPromote: unary<{ ID: WireLong }, object>(async (req) => {
      await backend.memberPromote(memberIdOf(req.ID, "ID"));
      return membersResponse(backend);
    }),
  };
}
