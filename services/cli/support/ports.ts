/**
 * Free TCP ports on loopback. The ports are found by binding port 0 and are released before
 * the masters bind them, so another process could take one in between; the masters then fail
 * to listen and `flotilla up` reports it with the member's log.
 */
import { createServer, type Server } from "node:net";
import type { MemberPorts } from "./cluster-dir.js";

/** Bound on how many ports one call hands out. */
export const PORTS_MAX = 300;

/** `count` distinct free ports on `host`: all are held open together, so none repeats. */
export async function freePorts(count: number, host: string): Promise<number[]> {
  if (count < 0 || count > PORTS_MAX) throw new RangeError(`count must be 0..${PORTS_MAX}, got ${count}`);
  const servers: Server[] = [];
  try {
    const ports: number[] = [];
    for (let i = 0; i < count; i++) {
      const srv = createServer();
      servers.push(srv);
      ports.push(await listenOnAnyPort(srv, host));
    }
    return ports;
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
  }
}

/** Client, peer and HTTP ports for `members` members. */
export async function freeMemberPorts(members: number, host: string): Promise<MemberPorts[]> {
  const ports = await freePorts(members * 3, host);
  return Array.from({ length: members }, (_, i) => ({
    clientPort: ports[3 * i]!,
    peerPort: ports[3 * i + 1]!,
    httpPort: ports[3 * i + 2]!,
  }));
}

/** Whether something accepts connections on host:port (e.g. a resumed member's port is taken). */
export async function portFree(port: number, host: string): Promise<boolean> {
  const srv = createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      srv.once("error", reject);
      srv.listen({ port, host, exclusive: true }, () => resolve());
    });
    return true;
  } catch {
    return false;
  } finally {
    await new Promise<void>((r) => (srv.listening ? srv.close(() => r()) : r()));
  }
}

function listenOnAnyPort(srv: Server, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    srv.once("error", reject);
    srv.listen({ port: 0, host, exclusive: true }, () => {
      const addr = srv.address();
      if (addr === null || typeof addr === "string") reject(new Error("no port assigned"));
      else resolve(addr.port);
    });
  });
}
