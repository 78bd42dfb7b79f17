/** coordination.k8s.io/v1 Lease: what leader election and node heartbeats write. */
import type { ApiObject } from "./meta.js";

/** Times are RFC 3339 MicroTime strings ("2006-01-02T15:04:05.000000Z"). */
export interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
  [field: string]: unknown;
}
/** A Lease (coordination.k8s.io/v1): leader election and node heartbeats. */
export interface Lease extends ApiObject {
  spec?: LeaseSpec;
}
