import { describe, expect, it } from "vitest";
import { FlagError, parseMasterFlags } from "./flags.js";

const GOOD: Record<string, string> = {
  name: "m1",
  "data-dir": "/tmp/m1",
  "listen-peer": "127.0.0.1:2380",
  "listen-client": "127.0.0.1:2379",
  "listen-http": "127.0.0.1:8080",
  "initial-cluster": "m1=http://127.0.0.1:2380,m2=http://127.0.0.1:2381",
};

function argv(change: Record<string, string | undefined> = {}, extra: string[] = []): string[] {
  return [
    ...Object.entries({ ...GOOD, ...change }).flatMap(([k, v]) => (v === undefined ? [] : [`--${k}`, v])),
    ...extra,
  ];
}

describe("flotilla master flags", () => {
  it("parses a full command line with defaults filled in", () => {
    const c = parseMasterFlags(argv({}, ["--join", "--fsync=off", "--tick-ms", "20"]));
    expect(c.name).toBe("m1");
    expect(c.listenPeer).toEqual({ host: "127.0.0.1", port: 2380 });
    expect(c.initialCluster).toEqual([
      { name: "m1", peerUrl: "http://127.0.0.1:2380", peerAddr: "127.0.0.1:2380" },
      { name: "m2", peerUrl: "http://127.0.0.1:2381", peerAddr: "127.0.0.1:2381" },
    ]);
    expect([c.join, c.fsync, c.tickMs, c.electionTicks, c.maxInflightProposals]).toEqual([
      true,
      false,
      20,
      10,
      10_000,
    ]);
  });

  it.each([
    [{ name: undefined }, "--name: is required"],
    [{ name: "m 1" }, '--name: "m 1" must be 1-63 letters, digits, ".", "_" or "-"'],
    [{ "data-dir": undefined }, "--data-dir: is required"],
    [{ "initial-cluster": undefined }, "--initial-cluster: is required"],
    [{ "initial-cluster": "m2=http://h:1" }, '--initial-cluster: does not list this member "m1"'],
    [{ "initial-cluster": "m1" }, '--initial-cluster: "m1" is not NAME=http://HOST:PORT'],
    [
      { "initial-cluster": "m1=ftp://h:1" },
      '--initial-cluster: member m1: "ftp://h:1" must start with http://',
    ],
    [{ "initial-cluster": "m1=http://h" }, '--initial-cluster: member m1: "http://h" has no port'],
    [
      { "initial-cluster": "m1=http://h:1/x" },
      '--initial-cluster: member m1: "http://h:1/x" must not have a path',
    ],
    [
      { "initial-cluster": "m1=http://h:1,m1=http://h:2" },
      '--initial-cluster: member name "m1" appears twice',
    ],
    [
      { "initial-cluster": "m1=http://h:1,m2=http://h:1" },
      "--initial-cluster: peer address h:1 appears twice",
    ],
    [{ "listen-client": "nowhere" }, '--listen-client: "nowhere" is not HOST:PORT'],
    [{ "listen-http": "h:70000" }, "--listen-http: port 70000 is above 65535"],
    [{ fsync: "maybe" }, '--fsync: must be on or off, got "maybe"'],
    [{ "tick-ms": "fast" }, '--tick-ms: must be a whole number from 1 to 10000, got "fast"'],
    [{ "tick-ms": "0" }, '--tick-ms: must be a whole number from 1 to 10000, got "0"'],
    [{ "initial-cluster-token": "" }, "--initial-cluster-token: must not be empty"],
  ])("refuses %j with a message naming the flag", (change, message) => {
    expect(() => parseMasterFlags(argv(change))).toThrow(new FlagError("x", "y").constructor);
    expect(() => parseMasterFlags(argv(change))).toThrow(message);
  });

  it("replicates over gRPC unless --peer-protocol picks tcp, and names a bad protocol", () => {
    expect(parseMasterFlags(argv()).peerProtocol).toBe("grpc");
    expect(parseMasterFlags(argv({ "peer-protocol": "tcp" })).peerProtocol).toBe("tcp");
    expect(() => parseMasterFlags(argv({ "peer-protocol": "udp" }))).toThrow(
      new FlagError("peer-protocol", 'must be grpc or tcp, got "udp"'),
    );
  });

  it("refuses unknown flags, missing values and switch values", () => {
    expect(() => parseMasterFlags(argv({}, ["--bogus", "1"]))).toThrow(
      /--bogus: unknown flag; known flags: --name/,
    );
    expect(() => parseMasterFlags(argv({}, ["--tick-ms"]))).toThrow("--tick-ms: needs a value");
    expect(() => parseMasterFlags(argv({}, ["--join=yes"]))).toThrow('--join: takes no value (got "yes")');
    expect(() => parseMasterFlags(["m1"])).toThrow(/unexpected argument "m1"/);
  });
});
