/**
 * services/control-plane/master — the master process: the Raft runtime over the MVCC store,
 * the etcd v3 API over it (RuntimeBackend), the HTTP API, structured logs, and `runMaster`,
 * the `flotilla master` command.
 */
export { type ClusterEntry, FlagError, MASTER_USAGE, type MasterConfig, parseMasterFlags } from "./flags.js";
export { type HttpApiTarget, type PartitionRequest, RequestError } from "./http-api.js";
export { IdentityMismatchError, type MemberIdentity } from "./identity.js";
export { clusterIdFromToken, DEFAULT_CLUSTER_TOKEN, memberIdOf, peerAddress } from "./ids.js";
export { LeaseForwarder, type LeaseForwarderOptions } from "./lease-forwarder.js";
export { jsonLogger, type LogLevel, type MasterLogger, runtimeLogger } from "./logger.js";
export { runMaster } from "./main.js";
export { Master, type StopReason } from "./master.js";
export { ATTRIBUTES_TAG, AttributeTable, type MemberAttributes } from "./member-attributes.js";
export { RuntimeBackend, type RuntimeBackendOptions } from "./runtime-backend.js";
export { toEtcdError } from "./runtime-errors.js";
export { MasterSnapshotError, MasterStateMachine } from "./state-machine.js";
export type { MasterStatus, MemberRole, MemberStatus, PartitionView } from "./status.js";
