/**
 * The core/v1 kinds the emulator uses, with the spec and status fields it reads. Every
 * interface keeps unknown fields through an index signature.
 */
import type { ApiObject, IntOrString, ObjectReference, ResourceList } from "./meta.js";

// ---- Namespace ------------------------------------------------------------------------------

/** Namespace spec: finalizers that must clear before the namespace goes. */
export interface NamespaceSpec {
  finalizers?: string[];
  [field: string]: unknown;
}
/** Namespace status: Active, or Terminating while its objects are deleted. */
export interface NamespaceStatus {
  phase?: "Active" | "Terminating";
  [field: string]: unknown;
}
/** A Namespace (v1, cluster-scoped): the scope of namespaced objects. */
export interface Namespace extends ApiObject {
  spec?: NamespaceSpec;
  status?: NamespaceStatus;
}

// ---- Node -----------------------------------------------------------------------------------

/** A node taint; pods need a matching toleration to be scheduled or stay. */
export interface Taint {
  key: string;
  value?: string;
  effect: "NoSchedule" | "PreferNoSchedule" | "NoExecute";
  timeAdded?: string;
  [field: string]: unknown;
}
/** Node spec: scheduling switches the scheduler reads. */
export interface NodeSpec {
  podCIDR?: string;
  unschedulable?: boolean;
  taints?: Taint[];
  [field: string]: unknown;
}
/** One node condition (Ready, MemoryPressure, ...); agents write it on readiness changes. */
export interface NodeCondition {
  type: string;
  status: "True" | "False" | "Unknown";
  lastHeartbeatTime?: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
  [field: string]: unknown;
}
/** One address of a node (InternalIP, Hostname). */
export interface NodeAddress {
  type: string;
  address: string;
  [field: string]: unknown;
}
/** Node status: what the node offers (capacity, allocatable) and its conditions. */
export interface NodeStatus {
  capacity?: ResourceList;
  allocatable?: ResourceList;
  conditions?: NodeCondition[];
  addresses?: NodeAddress[];
  phase?: string;
  [field: string]: unknown;
}
/** A Node (v1, cluster-scoped): one hollow node hosted by an agent. */
export interface Node extends ApiObject {
  spec?: NodeSpec;
  status?: NodeStatus;
}

// ---- Pod ------------------------------------------------------------------------------------

/** A port a container listens on. */
export interface ContainerPort {
  name?: string;
  containerPort: number;
  hostPort?: number;
  protocol?: "TCP" | "UDP" | "SCTP";
  [field: string]: unknown;
}
/** Requests (what the scheduler reserves) and limits of a container. */
export interface ResourceRequirements {
  requests?: ResourceList;
  limits?: ResourceList;
  [field: string]: unknown;
}
/** One environment variable of a container. */
export interface EnvVar {
  name: string;
  value?: string;
  [field: string]: unknown;
}
/** One container of a pod: what the agent's runtime starts. */
export interface Container {
  name: string;
  image?: string;
  command?: string[];
  args?: string[];
  env?: EnvVar[];
  ports?: ContainerPort[];
  resources?: ResourceRequirements;
  imagePullPolicy?: "Always" | "IfNotPresent" | "Never";
  terminationMessagePath?: string;
  terminationMessagePolicy?: string;
  [field: string]: unknown;
}
/** Lets a pod tolerate a node taint. */
export interface Toleration {
  key?: string;
  operator?: "Exists" | "Equal";
  value?: string;
  effect?: "NoSchedule" | "PreferNoSchedule" | "NoExecute";
  tolerationSeconds?: number;
  [field: string]: unknown;
}
/** Pod spec: containers, placement (nodeName, nodeSelector, tolerations) and restart rules. */
export interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  restartPolicy?: "Always" | "OnFailure" | "Never";
  terminationGracePeriodSeconds?: number;
  activeDeadlineSeconds?: number;
  dnsPolicy?: string;
  nodeSelector?: Record<string, string>;
  serviceAccountName?: string;
  nodeName?: string;
  hostNetwork?: boolean;
  schedulerName?: string;
  tolerations?: Toleration[];
  priority?: number;
  hostname?: string;
  subdomain?: string;
  [field: string]: unknown;
}
/** The lifecycle phase of a pod. */
export type PodPhase = "Pending" | "Running" | "Succeeded" | "Failed" | "Unknown";
/** One pod condition (PodScheduled, Ready, ...). */
export interface PodCondition {
  type: string;
  status: "True" | "False" | "Unknown";
  lastProbeTime?: string | null;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
  [field: string]: unknown;
}
/** What the runtime reports about one container. */
export interface ContainerStatus {
  name: string;
  ready: boolean;
  restartCount: number;
  image?: string;
  state?: Record<string, unknown>;
  [field: string]: unknown;
}
/** Pod status, written by the agent (phase, IPs, container statuses) and the scheduler (conditions). */
export interface PodStatus {
  phase?: PodPhase;
  conditions?: PodCondition[];
  hostIP?: string;
  podIP?: string;
  startTime?: string;
  nominatedNodeName?: string;
  containerStatuses?: ContainerStatus[];
  reason?: string;
  message?: string;
  [field: string]: unknown;
}
/** A Pod (v1): the unit the scheduler binds and an agent runs. */
export interface Pod extends ApiObject {
  spec?: PodSpec;
  status?: PodStatus;
}
/** A Pod template inside workloads (metadata + spec, no apiVersion/kind). */
export interface PodTemplateSpec {
  metadata?: {
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [field: string]: unknown;
  };
  spec?: PodSpec;
  [field: string]: unknown;
}

// ---- Service and Endpoints -----------------------------------------------------------------

/** One port of a Service and the pod port it forwards to. */
export interface ServicePort {
  name?: string;
  protocol?: "TCP" | "UDP" | "SCTP";
  port: number;
  targetPort?: IntOrString;
  nodePort?: number;
  [field: string]: unknown;
}
/** Service spec: which pods (selector) and which ports. */
export interface ServiceSpec {
  type?: "ClusterIP" | "NodePort" | "LoadBalancer" | "ExternalName";
  selector?: Record<string, string>;
  ports?: ServicePort[];
  clusterIP?: string;
  sessionAffinity?: "None" | "ClientIP";
  [field: string]: unknown;
}
/** A Service (v1): a stable name for the pods its selector picks. */
export interface Service extends ApiObject {
  spec?: ServiceSpec;
  status?: { [field: string]: unknown };
}
/** One ready (or not ready) pod address behind a Service. */
export interface EndpointAddress {
  ip: string;
  hostname?: string;
  nodeName?: string;
  targetRef?: ObjectReference;
  [field: string]: unknown;
}
/** One port of an endpoint subset. */
export interface EndpointPort {
  name?: string;
  port: number;
  protocol?: "TCP" | "UDP" | "SCTP";
  [field: string]: unknown;
}
/** Addresses that share a set of ports. */
export interface EndpointSubset {
  addresses?: EndpointAddress[];
  notReadyAddresses?: EndpointAddress[];
  ports?: EndpointPort[];
  [field: string]: unknown;
}
/** Endpoints has top-level `subsets` instead of spec. */
export interface Endpoints extends ApiObject {
  subsets?: EndpointSubset[];
}

// ---- ConfigMap, Secret ----------------------------------------------------------------------

/** ConfigMap has top-level data instead of spec. */
export interface ConfigMap extends ApiObject {
  data?: Record<string, string>;
  binaryData?: Record<string, string>;
  immutable?: boolean;
}
/** Secret data values are base64; stringData is merged into data by applyDefaults. */
export interface Secret extends ApiObject {
  type?: string;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
  immutable?: boolean;
}

// ---- Event ----------------------------------------------------------------------------------

/** Which component reported an event. */
export interface EventSource {
  component?: string;
  host?: string;
  [field: string]: unknown;
}
/** A core/v1 Event: top-level fields, no spec. */
export interface Event extends ApiObject {
  involvedObject: ObjectReference;
  reason?: string;
  message?: string;
  source?: EventSource;
  firstTimestamp?: string | null;
  lastTimestamp?: string | null;
  eventTime?: string | null;
  count?: number;
  type?: "Normal" | "Warning";
  reportingComponent?: string;
  reportingInstance?: string;
}

// ---- PersistentVolumeClaim -----------------------------------------------------------------

/** How a volume may be mounted. */
export type PersistentVolumeAccessMode =
  | "ReadWriteOnce"
  | "ReadOnlyMany"
  | "ReadWriteMany"
  | "ReadWriteOncePod";
/** PVC spec: access modes and the storage requested. */
export interface PersistentVolumeClaimSpec {
  accessModes?: PersistentVolumeAccessMode[];
  resources?: ResourceRequirements;
  storageClassName?: string;
  volumeMode?: "Filesystem" | "Block";
  volumeName?: string;
  selector?: unknown;
  [field: string]: unknown;
}
/** PVC status: Pending until bound. */
export interface PersistentVolumeClaimStatus {
  phase?: "Pending" | "Bound" | "Lost";
  accessModes?: PersistentVolumeAccessMode[];
  capacity?: ResourceList;
  [field: string]: unknown;
}
/** A PersistentVolumeClaim (v1): a request for storage. */
export interface PersistentVolumeClaim extends ApiObject {
  spec?: PersistentVolumeClaimSpec;
  status?: PersistentVolumeClaimStatus;
}
