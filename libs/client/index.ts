/**
 * libs/client: how the scheduler, controllers, node agents and the CLI talk to the API
 * servers, shaped after client-go. See README.md.
 */
export { ApiClient, type ApiClientOptions } from "./api-client.js";
export { Backoff, type BackoffOptions } from "./backoff.js";
export {
  AbortedError,
  type Clock,
  FakeClock,
  flushPromises,
  realClock,
  sleep,
  type TimerHandle,
} from "./clock.js";
export {
  ApiStatusError,
  CAUSES_METADATA_KEY,
  isAlreadyExists,
  isConflict,
  isExpired,
  isInvalid,
  isNotFound,
  isTooManyRequests,
  parseCauses,
  REASON_METADATA_KEY,
  type StatusCause,
  toApiStatusError,
} from "./errors.js";
export {
  type FakeGrpcServer,
  type FakeGrpcServerOptions,
  noLeaderError,
  serveFakeResources,
} from "./fake-grpc-server.js";
export { FakeResourceApi } from "./fake-resource-api.js";
export {
  defaultIndexers,
  Indexer,
  type IndexFunc,
  indexByNamespace,
  indexByNodeName,
  indexByOwnerUid,
  Lister,
  NAMESPACE_INDEX,
  NODE_NAME_INDEX,
  OWNER_UID_INDEX,
  UnknownIndexError,
} from "./indexer.js";
export { type EventHandlers, type InformerOptions, SharedInformer } from "./informer.js";
export {
  type LeaderElectionCallbacks,
  LeaderElectionConfigError,
  type LeaderElectionOptions,
  LeaderElector,
  type LeaseObject,
  type LeaseSpec,
} from "./leader-election.js";
export {
  decodeObject,
  deepFreeze,
  encodeObject,
  type KubeObject,
  type KubeObjectMeta,
  type LabelMatcher,
  namespacedKey,
  ObjectDecodeError,
  objectKey,
  revisionOf,
  splitKey,
  type WatchEvent,
  type WatchEventType,
} from "./object.js";
export {
  BucketRateLimiter,
  defaultControllerRateLimiter,
  ItemExponentialFailureRateLimiter,
  MaxOfRateLimiter,
  type RateLimiter,
} from "./rate-limiter.js";
export { RateLimitingQueue, type RateLimitingQueueOptions } from "./rate-limiting-queue.js";
export type {
  CallOptions,
  CreateRequest,
  DeleteRequest,
  GetRequest,
  ListRequest,
  PatchRequest,
  RawList,
  RawWatch,
  RawWatchEvent,
  ResourceApi,
  UpdateRequest,
  WatchRequest,
} from "./resource-api.js";
export {
  type DeleteOptions,
  type ListOptions,
  type ObjectList,
  ResourceClient,
  type ResourceWatch,
  type WatchOptions,
} from "./resource-client.js";
export { WatchChannel, type WatchChannelOptions } from "./watch-channel.js";
export { WorkQueue, WorkQueueFullError, type WorkQueueMetrics, type WorkQueueOptions } from "./work-queue.js";
