/**
 * Loads Flotilla's wire formats (the .proto files beside this module) at run time.
 *
 * The .proto files are the single source of truth; nothing is compiled ahead of time.
 * `tsc` does not copy .proto files into dist/, so the proto directory is found by walking
 * up from this module to the project root (the first folder holding package.json) and
 * taking its proto/ folder: that is the source folder whether this runs as
 * proto/load.ts (vitest, tsx) or as dist/proto/load.js.
 */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type GrpcObject, loadPackageDefinition, type ServiceClientConstructor } from "@grpc/grpc-js";
import { loadSync, type Options, type PackageDefinition } from "@grpc/proto-loader";

/** Every file we load, relative to the proto directory; imports resolve against it too. */
export const PROTO_FILES: readonly string[] = [
  "mvccpb/kv.proto",
  "etcdserverpb/rpc.proto",
  "raftpb/raft.proto",
  "apipb/api.proto",
];

/**
 * How decoded messages look to handlers; see proto/README.md for the reasons.
 * keepCase: field names as in the .proto (`range_end`, `TTL`, `peerURLs`).
 * longs: String, because lease and member ids use all 64 bits.
 * enums: String, so handlers switch on names. defaults: true, so absent scalars and
 * repeated fields read as 0 / "" / [] (absent messages read as null).
 * oneofs: true, so each oneof also names its set member (e.g. `request: "request_put"`).
 */
export const LOADER_OPTIONS: Readonly<Options> = Object.freeze({
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
});

/** What {@link loadProtos} returns. Each service constructor's `.service` goes to `Server.addService`. */
export interface FlotillaProtos {
  /** The folder the .proto files were read from. */
  readonly protoDir: string;
  /** Raw definition: message and enum descriptors keyed by full name (e.g. "mvccpb.KeyValue"). */
  readonly packageDefinition: PackageDefinition;
  readonly etcdserverpb: {
    readonly KV: ServiceClientConstructor;
    readonly Watch: ServiceClientConstructor;
    readonly Lease: ServiceClientConstructor;
    readonly Cluster: ServiceClientConstructor;
    readonly Maintenance: ServiceClientConstructor;
  };
  readonly raftpb: {
    readonly RaftTransport: ServiceClientConstructor;
  };
  readonly apipb: {
    readonly Resources: ServiceClientConstructor;
  };
}

export interface LoadProtosOptions {
  /**
   * Folder holding the .proto files.
   * @default the proto/ folder of the project root found above this module
   */
  readonly protoDir?: string;
}

/** The proto files are missing or do not define what Flotilla expects. */
export class ProtoLoadError extends Error {
  override readonly name = "ProtoLoadError";
}

/** Parses every Flotilla .proto file. Synchronous: call once at process start and share the result. */
export function loadProtos(options: LoadProtosOptions = {}): FlotillaProtos {
  const protoDir = options.protoDir ?? findProtoDir(import.meta.url);
  let packageDefinition: PackageDefinition;
  try {
    packageDefinition = loadSync(
      PROTO_FILES.map((f) => join(protoDir, f)),
      { ...LOADER_OPTIONS, includeDirs: [protoDir] },
    );
  } catch (cause) {
    throw new ProtoLoadError(`cannot load .proto files from ${protoDir}`, { cause });
  }
  const root = loadPackageDefinition(packageDefinition);
  return {
    protoDir,
    packageDefinition,
    etcdserverpb: {
      KV: service(root, "etcdserverpb.KV"),
      Watch: service(root, "etcdserverpb.Watch"),
      Lease: service(root, "etcdserverpb.Lease"),
      Cluster: service(root, "etcdserverpb.Cluster"),
      Maintenance: service(root, "etcdserverpb.Maintenance"),
    },
    raftpb: {
      RaftTransport: service(root, "flotilla.raftpb.RaftTransport"),
    },
    apipb: {
      Resources: service(root, "flotilla.apipb.Resources"),
    },
  };
}

/**
 * The proto/ folder of the project root: the first folder at or above `moduleUrl`'s folder
 * that holds a package.json.
 */
export function findProtoDir(moduleUrl: string): string {
  const start = dirname(fileURLToPath(moduleUrl));
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json"))) {
      const protoDir = join(dir, "proto");
      if (!existsSync(join(protoDir, "etcdserverpb", "rpc.proto")))
        throw new ProtoLoadError(`project root ${dir} has no proto/etcdserverpb/rpc.proto`);
      return protoDir;
    }
    if (dirname(dir) === dir) throw new ProtoLoadError(`no package.json found at or above ${start}`);
  }
}

function service(root: GrpcObject, fullName: string): ServiceClientConstructor {
  let node: GrpcObject[string] | undefined = root;
  for (const part of fullName.split(".")) {
    node = isNamespace(node) ? node[part] : undefined;
  }
  if (typeof node !== "function" || !("service" in node))
    throw new ProtoLoadError(`service ${fullName} is not defined by the .proto files`);
  return node;
}

function isNamespace(node: GrpcObject[string] | undefined): node is GrpcObject {
  return node !== undefined && typeof node === "object" && !("format" in node);
}
