/**
 * Object metadata and the envelope every object shares, shaped like Kubernetes' ObjectMeta
 * and TypeMeta. Index signatures keep unknown fields: a manifest written for a real
 * cluster passes through Flotilla unchanged.
 */

/** Points from a dependent to its owner; the garbage collector follows these. */
export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** Kubernetes' ObjectMeta: the fields the server keeps, plus anything else a client sent. */
export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
  /** Unknown fields are kept. */
  [field: string]: unknown;
}

/** Any object of any kind, as JSON. Unknown fields are kept, never dropped. */
export interface ApiObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  spec?: unknown;
  status?: unknown;
  [field: string]: unknown;
}

/** A reference to another object (Event.involvedObject, Endpoints targetRef). */
export interface ObjectReference {
  apiVersion?: string;
  kind?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  resourceVersion?: string;
  fieldPath?: string;
  [field: string]: unknown;
}

/** Kubernetes' LabelSelector object, as found in workloads' spec.selector. */
export interface LabelSelectorObject {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
  [field: string]: unknown;
}

/** One matchExpressions entry: In, NotIn, Exists or DoesNotExist. */
export interface LabelSelectorRequirement {
  key: string;
  operator: "In" | "NotIn" | "Exists" | "DoesNotExist";
  values?: string[];
  [field: string]: unknown;
}

/** A quantity string ("500m", "1Gi", "2"); see parseQuantity. */
export type Quantity = string;

/** Kubernetes' IntOrString: a port number or name, a count or a percentage ("25%"). */
export type IntOrString = number | string;

/** Resource name → quantity ("cpu": "500m", "memory": "1Gi"). */
export type ResourceList = Record<string, Quantity>;
