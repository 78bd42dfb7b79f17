/** The apps/v1 workloads: ReplicaSet, Deployment, StatefulSet. */
import type { PersistentVolumeClaim, PodTemplateSpec } from "./core.js";
import type { ApiObject, IntOrString, LabelSelectorObject } from "./meta.js";

/** ReplicaSet spec: how many pods of the template, picked by the selector. */
export interface ReplicaSetSpec {
  replicas?: number;
  minReadySeconds?: number;
  selector: LabelSelectorObject;
  template: PodTemplateSpec;
  [field: string]: unknown;
}
/** ReplicaSet status, written by its controller. */
export interface ReplicaSetStatus {
  replicas: number;
  fullyLabeledReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  observedGeneration?: number;
  [field: string]: unknown;
}
/** A ReplicaSet (apps/v1): keeps a number of identical pods running. */
export interface ReplicaSet extends ApiObject {
  spec?: ReplicaSetSpec;
  status?: ReplicaSetStatus;
}

/** How far a rolling update may go below (maxUnavailable) or above (maxSurge) the desired count. */
export interface RollingUpdateDeployment {
  maxUnavailable?: IntOrString;
  maxSurge?: IntOrString;
  [field: string]: unknown;
}
/** How a Deployment replaces old pods: Recreate or RollingUpdate. */
export interface DeploymentStrategy {
  type?: "Recreate" | "RollingUpdate";
  rollingUpdate?: RollingUpdateDeployment;
  [field: string]: unknown;
}
/** Deployment spec: the desired pods and how to roll them out. */
export interface DeploymentSpec {
  replicas?: number;
  selector: LabelSelectorObject;
  template: PodTemplateSpec;
  strategy?: DeploymentStrategy;
  minReadySeconds?: number;
  revisionHistoryLimit?: number;
  paused?: boolean;
  progressDeadlineSeconds?: number;
  [field: string]: unknown;
}
/** One Deployment condition (Available, Progressing). */
export interface DeploymentCondition {
  type: string;
  status: "True" | "False" | "Unknown";
  reason?: string;
  message?: string;
  lastUpdateTime?: string;
  lastTransitionTime?: string;
  [field: string]: unknown;
}
/** Deployment status, written by its controller. */
export interface DeploymentStatus {
  observedGeneration?: number;
  replicas?: number;
  updatedReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  unavailableReplicas?: number;
  conditions?: DeploymentCondition[];
  collisionCount?: number;
  [field: string]: unknown;
}
/** A Deployment (apps/v1): rolls out ReplicaSets. */
export interface Deployment extends ApiObject {
  spec?: DeploymentSpec;
  status?: DeploymentStatus;
}

/** How a StatefulSet updates its pods: RollingUpdate (from the highest ordinal) or OnDelete. */
export interface StatefulSetUpdateStrategy {
  type?: "RollingUpdate" | "OnDelete";
  rollingUpdate?: { partition?: number; maxUnavailable?: IntOrString; [field: string]: unknown };
  [field: string]: unknown;
}
/** StatefulSet spec: ordered, stably named pods with their own claims. */
export interface StatefulSetSpec {
  replicas?: number;
  selector: LabelSelectorObject;
  template: PodTemplateSpec;
  serviceName?: string;
  volumeClaimTemplates?: PersistentVolumeClaim[];
  podManagementPolicy?: "OrderedReady" | "Parallel";
  updateStrategy?: StatefulSetUpdateStrategy;
  revisionHistoryLimit?: number;
  minReadySeconds?: number;
  [field: string]: unknown;
}
/** StatefulSet status, written by its controller. */
export interface StatefulSetStatus {
  observedGeneration?: number;
  replicas: number;
  readyReplicas?: number;
  currentReplicas?: number;
  updatedReplicas?: number;
  availableReplicas?: number;
  currentRevision?: string;
  updateRevision?: string;
  [field: string]: unknown;
}
/** A StatefulSet (apps/v1): pods with stable names web-0, web-1, ... */
export interface StatefulSet extends ApiObject {
  spec?: StatefulSetSpec;
  status?: StatefulSetStatus;
}
