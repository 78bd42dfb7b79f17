import { describe, expect, it } from "vitest";
import {
  APISERVER_LEASE,
  GAME_DEMO_CONFIGMAP,
  MY_SERVICE,
  NGINX_DEPLOYMENT,
  SIMPLE_POD,
} from "../test/docs-manifests.js";
import {
  type Case,
  CONFIG_KEY_MSG,
  errorsOf,
  LABEL_MSG,
  LABEL_VALUE_MSG,
  SUBDOMAIN_MSG,
} from "../test/validation-cases.js";

const CASES: readonly Case[] = [
  // ---- pods --------------------------------------------------------------------------------
  ["a Pod with no containers", SIMPLE_POD, { spec: { containers: [] } }, ["spec.containers: Required value"]],
  [
    "a container without an image",
    SIMPLE_POD,
    { spec: { containers: [{ name: "nginx" }] } },
    ["spec.containers[0].image: Required value"],
  ],
  [
    "two containers with one name",
    SIMPLE_POD,
    {
      spec: {
        containers: [
          { name: "a", image: "x" },
          { name: "a", image: "y" },
        ],
      },
    },
    ['spec.containers[1].name: Duplicate value: "a"'],
  ],
  [
    "a container name with an underscore",
    SIMPLE_POD,
    { spec: { containers: [{ name: "my_app", image: "x" }] } },
    [`spec.containers[0].name: Invalid value: "my_app": ${LABEL_MSG}`],
  ],
  [
    "a restartPolicy Kubernetes does not know",
    SIMPLE_POD,
    { spec: { restartPolicy: "Sometimes" } },
    ['spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"'],
  ],
  [
    "a container port out of range",
    SIMPLE_POD,
    { spec: { containers: [{ name: "nginx", image: "nginx", ports: [{ containerPort: 70000 }] }] } },
    [
      "spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive",
    ],
  ],
  [
    "a port protocol Kubernetes does not know",
    SIMPLE_POD,
    {
      spec: {
        containers: [{ name: "nginx", image: "nginx", ports: [{ containerPort: 80, protocol: "HTTP" }] }],
      },
    },
    [
      'spec.containers[0].ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"',
    ],
  ],
  [
    "a port name with upper case",
    SIMPLE_POD,
    {
      spec: { containers: [{ name: "nginx", image: "nginx", ports: [{ containerPort: 80, name: "Web" }] }] },
    },
    [
      'spec.containers[0].ports[0].name: Invalid value: "Web": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
    ],
  ],
  [
    "a request above its limit",
    SIMPLE_POD,
    {
      spec: {
        containers: [
          { name: "nginx", image: "nginx", resources: { requests: { cpu: "2" }, limits: { cpu: "500m" } } },
        ],
      },
    },
    [
      'spec.containers[0].resources.requests[cpu]: Invalid value: "2": must be less than or equal to cpu limit of 500m',
    ],
  ],
  [
    "a quantity that does not parse",
    SIMPLE_POD,
    {
      spec: { containers: [{ name: "nginx", image: "nginx", resources: { requests: { memory: "lots" } } }] },
    },
    [
      "spec.containers[0].resources.requests[memory]: Invalid value: \"lots\": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
    ],
  ],
  [
    "a negative quantity",
    SIMPLE_POD,
    { spec: { containers: [{ name: "nginx", image: "nginx", resources: { requests: { cpu: "-1" } } }] } },
    ['spec.containers[0].resources.requests[cpu]: Invalid value: "-1": must be greater than or equal to 0'],
  ],
  [
    "an unqualified resource name that is not standard",
    SIMPLE_POD,
    { spec: { containers: [{ name: "nginx", image: "nginx", resources: { requests: { gpu: "1" } } }] } },
    [
      'spec.containers[0].resources.requests[gpu]: Invalid value: "gpu": must be a standard resource type or fully qualified',
    ],
  ],
  [
    "a nodeName that is not a subdomain",
    SIMPLE_POD,
    { spec: { nodeName: "Node_1" } },
    [`spec.nodeName: Invalid value: "Node_1": ${SUBDOMAIN_MSG}`],
  ],
  [
    "a nodeSelector with a bad value",
    SIMPLE_POD,
    { spec: { nodeSelector: { zone: "a b" } } },
    [`spec.nodeSelector: Invalid value: "a b": ${LABEL_VALUE_MSG}`],
  ],
  [
    "a toleration with no key and operator Equal",
    SIMPLE_POD,
    { spec: { tolerations: [{ operator: "Equal", value: "x" }] } },
    [
      'spec.tolerations[0].operator: Invalid value: "Equal": operator must be Exists when `key` is empty, which means "match all values and all keys"',
    ],
  ],
  [
    "a toleration with an unknown effect",
    SIMPLE_POD,
    { spec: { tolerations: [{ key: "k", operator: "Exists", effect: "Sometimes" }] } },
    [
      'spec.tolerations[0].effect: Unsupported value: "Sometimes": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"',
    ],
  ],
  [
    "tolerationSeconds without NoExecute",
    SIMPLE_POD,
    { spec: { tolerations: [{ key: "k", operator: "Exists", effect: "NoSchedule", tolerationSeconds: 5 }] } },
    [
      "spec.tolerations[0].effect: Invalid value: \"NoSchedule\": effect must be 'NoExecute' when `tolerationSeconds` is set",
    ],
  ],
  [
    "a zero activeDeadlineSeconds",
    SIMPLE_POD,
    { spec: { activeDeadlineSeconds: 0 } },
    ["spec.activeDeadlineSeconds: Invalid value: 0: must be between 1 and 2147483647, inclusive"],
  ],
  [
    "an env var name starting with a digit",
    SIMPLE_POD,
    { spec: { containers: [{ name: "nginx", image: "nginx", env: [{ name: "1VAR", value: "x" }] }] } },
    [
      "spec.containers[0].env[0].name: Invalid value: \"1VAR\": a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')",
    ],
  ],
  [
    "a hostname that is not a DNS label",
    SIMPLE_POD,
    { spec: { hostname: "web.1" } },
    [`spec.hostname: Invalid value: "web.1": ${LABEL_MSG}`],
  ],
  [
    "containers that are not an array",
    SIMPLE_POD,
    { spec: { containers: "nginx" } },
    ['spec.containers: Invalid value: "nginx": must be an array'],
  ],
  [
    "a pod phase Kubernetes does not know",
    SIMPLE_POD,
    { status: { phase: "Sleeping" } },
    [
      'status.phase: Unsupported value: "Sleeping": supported values: "Pending", "Running", "Succeeded", "Failed", "Unknown"',
    ],
  ],
  // ---- workloads ---------------------------------------------------------------------------
  [
    "negative replicas",
    NGINX_DEPLOYMENT,
    { spec: { replicas: -1 } },
    ["spec.replicas: Invalid value: -1: must be greater than or equal to 0"],
  ],
  [
    "a negative status counter",
    NGINX_DEPLOYMENT,
    { status: { readyReplicas: -2 } },
    ["status.readyReplicas: Invalid value: -2: must be greater than or equal to 0"],
  ],
  [
    "a Deployment without a selector",
    NGINX_DEPLOYMENT,
    { spec: { selector: null } },
    ["spec.selector: Required value"],
  ],
  [
    "a selector that does not match the template's labels",
    NGINX_DEPLOYMENT,
    { spec: { selector: { matchLabels: { app: "web" } } } },
    [
      'spec.template.metadata.labels: Invalid value: map[string]string{"app":"nginx"}: `selector` does not match template `labels`',
    ],
  ],
  [
    "an empty selector",
    NGINX_DEPLOYMENT,
    { spec: { selector: { matchLabels: null } } },
    ["spec.selector: Invalid value: {}: empty selector is invalid for deployment"],
  ],
  [
    "a matchExpressions operator that does not exist",
    NGINX_DEPLOYMENT,
    { spec: { selector: { matchExpressions: [{ key: "tier", operator: "Near" }] } } },
    ['spec.selector.matchExpressions[0].operator: Invalid value: "Near": not a valid selector operator'],
  ],
  [
    "In without values",
    NGINX_DEPLOYMENT,
    { spec: { selector: { matchExpressions: [{ key: "tier", operator: "In", values: [] }] } } },
    [
      "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
    ],
  ],
  [
    "a template that restarts OnFailure",
    NGINX_DEPLOYMENT,
    { spec: { template: { spec: { restartPolicy: "OnFailure" } } } },
    ['spec.template.spec.restartPolicy: Unsupported value: "OnFailure": supported values: "Always"'],
  ],
  [
    "a strategy type Kubernetes does not know",
    NGINX_DEPLOYMENT,
    { spec: { strategy: { type: "BlueGreen", rollingUpdate: null } } },
    ['spec.strategy.type: Unsupported value: "BlueGreen": supported values: "Recreate", "RollingUpdate"'],
  ],
  [
    "maxUnavailable and maxSurge both 0",
    NGINX_DEPLOYMENT,
    { spec: { strategy: { rollingUpdate: { maxUnavailable: 0, maxSurge: 0 } } } },
    ["spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0"],
  ],
  [
    "a maxSurge that is neither a number nor a percentage",
    NGINX_DEPLOYMENT,
    { spec: { strategy: { rollingUpdate: { maxSurge: "half" } } } },
    [
      "spec.strategy.rollingUpdate.maxSurge: Invalid value: \"half\": must be an integer or percentage (e.g '5%')",
    ],
  ],
  [
    "a Recreate strategy with rollingUpdate",
    NGINX_DEPLOYMENT,
    { spec: { strategy: { type: "Recreate", rollingUpdate: { maxSurge: 1 } } } },
    ["spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'"],
  ],
  // ---- services ----------------------------------------------------------------------------
  [
    "a Service port out of range",
    MY_SERVICE,
    { spec: { ports: [{ protocol: "TCP", port: 0, targetPort: 9376 }] } },
    ["spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive"],
  ],
  [
    "two Service ports without names",
    MY_SERVICE,
    { spec: { ports: [{ port: 80 }, { port: 443 }] } },
    ["spec.ports[0].name: Required value", "spec.ports[1].name: Required value"],
  ],
  [
    "a Service type Kubernetes does not know",
    MY_SERVICE,
    { spec: { type: "Internal" } },
    [
      'spec.type: Unsupported value: "Internal": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"',
    ],
  ],
  [
    "a nodePort on a ClusterIP Service",
    MY_SERVICE,
    { spec: { ports: [{ port: 80, nodePort: 30080 }] } },
    ["spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"],
  ],
  // ---- config ----------------------------------------------------------------------------
  [
    "a ConfigMap key with a slash",
    GAME_DEMO_CONFIGMAP,
    { data: { "a/b": "x" } },
    [`data[a/b]: Invalid value: "a/b": ${CONFIG_KEY_MSG}`],
  ],
  [
    "a ConfigMap key '..'",
    GAME_DEMO_CONFIGMAP,
    { data: { "..": "x" } },
    ["data[..]: Invalid value: \"..\": must not be '..'"],
  ],
  [
    "Secret data that is not base64",
    { apiVersion: "v1", kind: "Secret", metadata: { name: "s" }, data: { password: "not base64!" } },
    null,
    ['data[password]: Invalid value: "<secret contents redacted>": illegal base64 data at input byte 3'],
  ],
  [
    "Secret stringData becomes valid base64 data",
    { apiVersion: "v1", kind: "Secret", metadata: { name: "s" }, stringData: { password: "héllo" } },
    null,
    [],
  ],
  // ---- leases, nodes, events, PVCs -------------------------------------------------------
  [
    "a zero lease duration",
    APISERVER_LEASE,
    { spec: { leaseDurationSeconds: 0 } },
    ["spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0"],
  ],
  [
    "a renewTime that is not RFC 3339",
    APISERVER_LEASE,
    { spec: { renewTime: "yesterday" } },
    [
      "spec.renewTime: Invalid value: \"yesterday\": must be an RFC 3339 timestamp with microseconds (e.g. '2006-01-02T15:04:05.000000Z')",
    ],
  ],
  [
    "a Node capacity that is not a quantity",
    { apiVersion: "v1", kind: "Node", metadata: { name: "node-1" }, status: { capacity: { cpu: "four" } } },
    null,
    [
      "status.capacity[cpu]: Invalid value: \"four\": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
      "status.allocatable[cpu]: Invalid value: \"four\": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
    ],
  ],
  [
    "a Node condition with an unknown status",
    {
      apiVersion: "v1",
      kind: "Node",
      metadata: { name: "node-1" },
      status: { conditions: [{ type: "Ready", status: "Maybe" }] },
    },
    null,
    ['status.conditions[0].status: Unsupported value: "Maybe": supported values: "False", "True", "Unknown"'],
  ],
  [
    "an Event about an object in another namespace",
    {
      apiVersion: "v1",
      kind: "Event",
      metadata: { name: "e1" },
      involvedObject: { kind: "Pod", name: "web", namespace: "other" },
    },
    null,
    ['involvedObject.namespace: Invalid value: "other": does not match event.namespace'],
  ],
  [
    "an Event without involvedObject",
    { apiVersion: "v1", kind: "Event", metadata: { name: "e1" } },
    null,
    ["involvedObject: Required value"],
  ],
  [
    "a PVC without access modes or storage",
    { apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name: "data" }, spec: {} },
    null,
    [
      "spec.accessModes: Required value: at least 1 access mode is required",
      "spec.resources[storage]: Required value",
    ],
  ],
  [
    "a PVC access mode Kubernetes does not know",
    {
      apiVersion: "v1",
      kind: "PersistentVolumeClaim",
      metadata: { name: "data" },
      spec: { accessModes: ["ReadWriteSometimes"], resources: { requests: { storage: "1Gi" } } },
    },
    null,
    [
      'spec.accessModes: Unsupported value: "ReadWriteSometimes": supported values: "ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"',
    ],
  ],
];

describe("validateObject reports spec errors of every kind with Kubernetes' paths and messages", () => {
  it.each(CASES)("%s", (_description, base, patch, expected) => {
    expect(errorsOf(base, patch)).toEqual(expected);
  });
});
