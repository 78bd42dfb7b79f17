/**
 * libs/api — Kubernetes-shaped resources: object types, kinds and their /registry keys,
 * decoding, defaults, validation with Kubernetes' field paths and messages, server-kept
 * metadata, label and field selectors, and JSON merge patch. Pure: no I/O, no clock, no
 * randomness (time, uids and name suffixes come in through CreateContext).
 */
export { base64FromUtf8 } from "./base64.js";
export { decodeObject, JSON_DEPTH_MAX, JSON_VALUES_MAX } from "./decode.js";
export { applyDefaults, DEFAULT_NAMESPACE, DEFAULT_SCHEDULER_NAME } from "./defaults.js";
export {
  duplicate,
  type FieldError,
  type FieldErrorType,
  fieldErrorBody,
  fieldErrorReason,
  forbidden,
  formatFieldError,
  formatFieldErrors,
  invalid,
  notSupported,
  required,
  tooLong,
  tooMany,
} from "./field-error.js";
export { deepEqual } from "./json.js";
export { KINDS, type KindInfo, listKind, resolveKind, specFieldsOf } from "./kinds.js";
export { applyMergePatch } from "./merge-patch.js";
export {
  type CreateContext,
  markDeleted,
  prepareForCreate,
  prepareForUpdate,
  specChanged,
} from "./metadata.js";
export { parseRegistryKey, registryKey, registryPrefix } from "./registry-keys.js";
export { fail, ok, type Result } from "./result.js";
export { type FieldSelector, parseFieldSelector, supportedFieldLabels } from "./selectors/field-selector.js";
export {
  type LabelSelector,
  labelSelectorFromObject,
  parseLabelSelector,
} from "./selectors/label-selector.js";
export {
  CAUSES_METADATA_KEY,
  REASON_METADATA_KEY,
  type StatusCause,
  type StatusReason,
} from "./status.js";
export type {
  Deployment,
  DeploymentCondition,
  DeploymentSpec,
  DeploymentStatus,
  DeploymentStrategy,
  ReplicaSet,
  ReplicaSetSpec,
  ReplicaSetStatus,
  RollingUpdateDeployment,
  StatefulSet,
  StatefulSetSpec,
  StatefulSetStatus,
  StatefulSetUpdateStrategy,
} from "./types/apps.js";
export type { Lease, LeaseSpec } from "./types/coordination.js";
export type {
  ConfigMap,
  Container,
  ContainerPort,
  ContainerStatus,
  EndpointAddress,
  EndpointPort,
  EndpointSubset,
  Endpoints,
  EnvVar,
  Event,
  EventSource,
  Namespace,
  NamespaceSpec,
  NamespaceStatus,
  Node,
  NodeAddress,
  NodeCondition,
  NodeSpec,
  NodeStatus,
  PersistentVolumeAccessMode,
  PersistentVolumeClaim,
  PersistentVolumeClaimSpec,
  PersistentVolumeClaimStatus,
  Pod,
  PodCondition,
  PodPhase,
  PodSpec,
  PodStatus,
  PodTemplateSpec,
  ResourceRequirements,
  Secret,
  Service,
  ServicePort,
  ServiceSpec,
  Taint,
  Toleration,
} from "./types/core.js";
export type {
  ApiObject,
  IntOrString,
  LabelSelectorObject,
  LabelSelectorRequirement,
  ObjectMeta,
  ObjectReference,
  OwnerReference,
  Quantity,
  ResourceList,
} from "./types/meta.js";
export { isRfc3339 } from "./validation/lease-event.js";
export {
  isConfigMapKey,
  isDns1035Label,
  isDns1123Label,
  isDns1123Subdomain,
  isQualifiedName,
  isValidLabelValue,
} from "./validation/names.js";
export {
  compareQuantities,
  parseQuantity,
  parseQuantityValue,
  quantityError,
} from "./validation/quantity.js";
export { nameValidatorFor, validateObject, validateUpdate } from "./validation/validate.js";
