/**
 * One master: the Raft runtime over the MVCC state machine, the etcd v3 gRPC server over
 * RuntimeBackend with the resource API (apipb.Resources) on the same port, the watch cache
 * and its WebSocket /watch, and the HTTP API; logs its life as structured lines. `Master.start`
 * returns once the peer, client and HTTP servers listen; `done` settles when the master
 * stops on its own (removed from the cluster, fatal runtime error).
 */
import { MvccStore } from "../../../libs/mvcc/index.js";
import { NONE, type NodeId } from "../../../libs/raft/index.js";
import { loadProtos } from "../../../proto/load.js";
import { type ApiServer, startApiServer } from "../apiserver/index.js";
import { type EtcdServer, startEtcdServer } from "../etcd/index.js";
import { createMasterMetrics } from "../metrics/index.js";
import { PartitionTable, RaftRuntime } from "../raft/index.js";
import { formatHostPort, type MasterConfig } from "./flags.js";
import { type HttpApi, RequestError, startHttpApi } from "./http-api.js";
import { checkIdentity } from "./identity.js";
import { clusterIdFromToken, memberIdOf } from "./ids.js";
import { LeaseForwarder } from "./lease-forwarder.js";
import { type MasterLogger, runtimeLogger } from "./logger.js";
import { encodeAttributes, type MemberAttributes } from "./member-attributes.js";
import { seedFromRestore } from "./restore-seed.js";
import { RuntimeBackend } from "./runtime-backend.js";
import { MasterStateMachine } from "./state-machine.js";
import { masterStatus, partitionView, type StatusSources } from "./status.js";

/** Why a master stopped on its own. */
export type StopReason = { kind: "removed" } | { kind: "fatal"; error: unknown };

/** Pause between attempts to publish this member's attributes. */
const PUBLISH_RETRY_MS = 200;

export class Master {
  private stopping: Promise<void> | undefined;
  private resolveDone!: (r: StopReason) => void;
  /** Settles when the master must stop without being asked (the caller then calls stop). */
  readonly done = new Promise<StopReason>((r) => {
    this.resolveDone = r;
  });

  private constructor(
    private readonly config: MasterConfig,
    private readonly log: MasterLogger,
    private readonly id: NodeId,
    private readonly rt: RaftRuntime,
    private readonly sm: MasterStateMachine,
    private readonly backend: RuntimeBackend,
    private readonly urls: { client: string; peer: string; http: string },
    private readonly etcd: EtcdServer,
    private readonly api: ApiServer,
    private http: HttpApi | undefined,
  ) {}

  /** Starts every part; throws (after undoing what started) if one cannot. */
  static async start(config: MasterConfig, log: MasterLogger): Promise<Master> {
    const self = config.initialCluster.find((e) => e.name === config.name)!;
    const token = config.clusterToken;
    const id = memberIdOf(token, self.peerAddr);
    const clusterId = clusterIdFromToken(token);
    const identity = await checkIdentity(config.dataDir, { name: config.name, id, clusterId });
    log.info("starting", {
      id: String(id),
      clusterId,
      dataDir: config.dataDir,
      join: config.join,
      dataDirState: identity === "created" ? "new" : "existing",
    });
    if (!config.fsync)
      log.warn("fsync off", {
        detail: "writes are acknowledged before they are on disk; a machine crash may lose them",
      });

    const initialCluster = config.initialCluster.map((e) => ({ ...e, id: memberIdOf(token, e.peerAddr) }));
    const restoredAt = await seedFromRestore({
      dataDir: config.dataDir,
      name: config.name,
      join: config.join,
      fsync: config.fsync,
      initialCluster,
    });
    if (restoredAt !== undefined) log.info("restored from snapshot", { index: restoredAt });

    const protos = loadProtos();
    const store = new MvccStore();
    const sm = new MasterStateMachine(store);
    const metrics = createMasterMetrics();
    const rt = await RaftRuntime.start({
      id,
      dataDir: config.dataDir,
      listen: formatHostPort(config.listenPeer.host, config.listenPeer.port),
      initialCluster: initialCluster.map((e) => ({ id: e.id, url: e.peerAddr })),
      stateMachine: sm,
      join: config.join,
      clusterId,
      tickMs: config.tickMs,
      electionTicks: config.electionTicks,
      fsync: config.fsync,
      maxInflightProposals: config.maxInflightProposals,
      snapshotEntries: config.snapshotEntries,
      snapshotCatchUpEntries: Math.min(5000, config.snapshotEntries),
      partition: new PartitionTable(),
      transportLimits: { protocol: config.peerProtocol },
      protos,
      logger: runtimeLogger(log),
      observer: metrics.raftObserver,
    });
    // No await between the runtime's start and here: its first Ready cycle (and so its
    // first roleChange) runs after this synchronous block.
    const backend = new RuntimeBackend({
      runtime: rt,
      stateMachine: sm,
      clusterId,
      clusterToken: token,
      forwarder: new LeaseForwarder({ protos }),
      electionTimeoutMs: config.electionTicks * config.tickMs,
      onLeaseRevokeError: (lease, err) =>
        log.log("debug", "lease revoke failed", { lease: String(lease), error: String(err) }),
    });
    let etcd: EtcdServer | undefined;
    let api: ApiServer | undefined;
    try {
      api = startApiServer({
        backend,
        protos,
        objectBytesMax: config.maxRequestBytes,
        onFailure: (method, error) =>
          log.warn("api request failed", {
            method,
            error: error instanceof Error ? error.message : String(error),
          }),
      });
      etcd = await startEtcdServer({
        backend,
        host: config.listenClient.host,
        port: config.listenClient.port,
        maxRequestBytes: config.maxRequestBytes,
        protos,
        extraServices: [api.service],
        instrument: (definition, implementation) => metrics.instrument(definition, implementation),
      });
      const cache = api.cache;
      metrics.attach({ backend, watchCache: () => cache.stats });
      const urls = {
        client: `http://${advertised(config.listenClient.host, etcd.port)}`,
        peer: self.peerUrl,
        http: "",
      };
      const m = new Master(config, log, id, rt, sm, backend, urls, etcd, api, undefined);
      m.http = await startHttpApi(config.listenHttp.host, config.listenHttp.port, {
        ...m.httpTarget(),
        metrics: metrics.registry,
      });
      urls.http = `http://${advertised(config.listenHttp.host, m.http.port)}`;
      api.attachWebSocket(m.http.server);
      m.watchRuntime();
      log.info("ready", {
        id: String(id),
        clientURL: urls.client,
        peerURL: urls.peer,
        peerListen: formatHostPort(config.listenPeer.host, rt.peerPort),
        httpURL: urls.http,
        pid: process.pid,
        fsync: config.fsync,
      });
      void m.publishAttributes();
      // A member started with --join joins a cluster that has them already.
      if (!config.join) void m.bootstrapNamespaces();
      return m;
    } catch (e) {
      await api?.close();
      await etcd?.close(100);
      backend.close();
      await rt.stop();
      throw e;
    }
  }

  /** Stops serving: etcd server, timers, the runtime (which flushes and closes storage), HTTP. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.log.info("stopping");
      // The cache ends every watch stream first, so the gRPC server has nothing open to wait for.
      await this.api.close();
      await this.etcd.close(500);
      this.backend.close();
      await this.rt.stop();
      await this.http?.close();
      this.log.info("stopped");
    })();
    return this.stopping;
  }

  private watchRuntime(): void {
    const name = (id: number): string => this.sm.attributes.get(id)?.name ?? this.nameFromFlags(id) ?? "";
    this.rt.on("leaderChange", ({ lead, term }) => {
      if (lead === NONE) this.log.warn("leader lost", { term });
      else this.log.info("leader elected", { leader: name(lead), leaderId: String(lead), term });
    });
    this.rt.on("roleChange", ({ role, term }) => this.log.info("role changed", { role, term }));
    this.rt.on("membershipChange", ({ index, change, url }) => {
      const msg =
        change.type === "removeNode"
          ? "member removed"
          : change.type === "addLearner"
            ? "member added as learner"
            : "member added";
      this.log.info(msg, {
        memberId: String(change.nodeId),
        member: name(change.nodeId),
        peer: url,
        index,
      });
      if (change.type === "removeNode" && change.nodeId === this.id) {
        this.log.warn("removed from the cluster", { index });
        this.resolveDone({ kind: "removed" });
      }
    });
    this.rt.on("fatal", ({ error }) => {
      this.log.error("fatal", { error: error instanceof Error ? error.message : String(error) });
      this.resolveDone({ kind: "fatal", error });
    });
  }

  /** Proposes this member's name and URLs until one proposal is applied (or the master stops). */
  private async publishAttributes(): Promise<void> {
    const attrs: MemberAttributes = {
      id: this.id,
      name: this.config.name,
      clientUrl: this.urls.client,
      httpUrl: this.urls.http,
    };
    while (this.stopping === undefined) {
      if (this.rt.status().lead !== NONE) {
        try {
          await this.rt.propose(encodeAttributes(attrs));
          this.log.info("member attributes published", { ...attrs, id: String(attrs.id) });
          return;
        } catch (e) {
          if (this.stopping !== undefined) return;
          this.log.log("debug", "publishing member attributes failed; retrying", { error: String(e) });
        }
      }
      await new Promise((r) => setTimeout(r, PUBLISH_RETRY_MS));
    }
  }

  /** Creates the system namespaces (every master does; AlreadyExists counts as done). */
  private async bootstrapNamespaces(): Promise<void> {
    try {
      const created = await this.api.bootstrap();
      this.log.info("namespaces ready", { created });
    } catch (e) {
      if (this.stopping !== undefined) return;
      this.log.warn("creating the system namespaces failed", {
        error: e instanceof Error ? e.message : String(e),
      });
    }
  }

  private nameFromFlags(id: number): string | undefined {
    return this.config.initialCluster.find((e) => memberIdOf(this.config.clusterToken, e.peerAddr) === id)
      ?.name;
  }

  /** A member named on the admin API: a published name, a name in --initial-cluster, or an id. */
  private resolvePeer(peer: string): NodeId {
    const published = this.sm.attributes.byName(peer);
    if (published) return published.id as NodeId;
    const entry = this.config.initialCluster.find((e) => e.name === peer);
    if (entry) return memberIdOf(this.config.clusterToken, entry.peerAddr);
    if (/^\d+$/.test(peer) && this.rt.status().members.some((m) => String(m.id) === peer))
      return Number(peer) as NodeId;
    throw new RequestError(`unknown member "${peer}"`);
  }

  private httpTarget(): Parameters<typeof startHttpApi>[2] {
    const sources: StatusSources = {
      name: this.config.name,
      runtime: this.rt,
      attributes: this.sm.attributes,
      store: this.sm.store,
      urls: this.urls,
      nameFromFlags: (id) => this.nameFromFlags(id),
    };
    return {
      healthy: () => this.stopping === undefined,
      ready: () => {
        if (this.stopping !== undefined) return false;
        const s = this.rt.status();
        return s.lead !== NONE && s.applied >= s.commit;
      },
      status: () => masterStatus(sources),
      partition: (req) => {
        const resolved = {
          block: req.block.map((b) => ({ id: this.resolvePeer(b.peer), direction: b.direction })),
          delay: req.delay.map((d) => ({ id: this.resolvePeer(d.peer), ms: d.ms })),
        };
        for (const b of resolved.block) this.rt.partition.block(b.id, b.direction);
        for (const d of resolved.delay) this.rt.partition.delay(d.id, d.ms);
        this.log.warn("partition changed", { request: req });
        return partitionView(sources);
      },
      heal: () => {
        this.rt.partition.heal();
        this.log.info("partition healed");
        return partitionView(sources);
      },
    };
  }
}

/** The address clients should dial: a wildcard listen host is reached on loopback. */
function advertised(host: string, port: number): string {
  const h = host === "0.0.0.0" || host === "::" || host === "" ? "127.0.0.1" : host;
  return formatHostPort(h, port);
}
