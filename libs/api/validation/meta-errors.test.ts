import { describe, expect, it } from "vitest";
import { MY_SERVICE, SIMPLE_POD } from "../test/docs-manifests.js";
import {
  type Case,
  DNS1035_MSG,
  errorsOf,
  LABEL_MSG,
  LABEL_VALUE_MSG,
  QUALIFIED_NAME_PART_MSG,
  SUBDOMAIN_MSG,
} from "../test/validation-cases.js";

const CASES: readonly Case[] = [
  // ---- names --------------------------------------------------------------------------------
  [
    "a Pod name that is not a subdomain",
    SIMPLE_POD,
    { metadata: { name: "Web_1" } },
    [`metadata.name: Invalid value: "Web_1": ${SUBDOMAIN_MSG}`],
  ],
  [
    "a Pod with neither name nor generateName",
    SIMPLE_POD,
    { metadata: { name: null } },
    ["metadata.name: Required value: name or generateName is required"],
  ],
  [
    "a generateName ending in '-' is fine",
    SIMPLE_POD,
    { metadata: { name: null, generateName: "web-" } },
    [],
  ],
  [
    "a bad generateName",
    SIMPLE_POD,
    { metadata: { name: null, generateName: "Web-" } },
    [`metadata.generateName: Invalid value: "Web-": ${SUBDOMAIN_MSG}`],
  ],
  [
    "a name longer than 253 characters",
    SIMPLE_POD,
    { metadata: { name: "a".repeat(254) } },
    [`metadata.name: Invalid value: "${"a".repeat(254)}": must be no more than 253 characters`],
  ],
  ["a Pod name with dots is a valid subdomain", SIMPLE_POD, { metadata: { name: "web.1" } }, []],
  [
    "a Service name with a dot is not a DNS-1035 label",
    MY_SERVICE,
    { metadata: { name: "my.service" } },
    [`metadata.name: Invalid value: "my.service": ${DNS1035_MSG}`],
  ],
  [
    "a Service name starting with a digit",
    MY_SERVICE,
    { metadata: { name: "1svc" } },
    [`metadata.name: Invalid value: "1svc": ${DNS1035_MSG}`],
  ],
  [
    "a namespace that is not a DNS label",
    SIMPLE_POD,
    { metadata: { namespace: "team.a" } },
    [`metadata.namespace: Invalid value: "team.a": ${LABEL_MSG}`],
  ],
  [
    "a Namespace name with a dot",
    { apiVersion: "v1", kind: "Namespace", metadata: { name: "team.a" } },
    null,
    [`metadata.name: Invalid value: "team.a": ${LABEL_MSG}`],
  ],
  [
    "a namespace on a cluster-scoped kind",
    { apiVersion: "v1", kind: "Node", metadata: { name: "node-1", namespace: "default" } },
    null,
    ["metadata.namespace: Forbidden: not allowed on this type"],
  ],
  // ---- labels and annotations ----------------------------------------------------------
  [
    "a label value with a space",
    SIMPLE_POD,
    { metadata: { labels: { app: "my app" } } },
    [`metadata.labels: Invalid value: "my app": ${LABEL_VALUE_MSG}`],
  ],
  [
    "a label value longer than 63 characters",
    SIMPLE_POD,
    { metadata: { labels: { app: "a".repeat(64) } } },
    [`metadata.labels: Invalid value: "${"a".repeat(64)}": must be no more than 63 characters`],
  ],
  [
    "a label key with a bad name part",
    SIMPLE_POD,
    { metadata: { labels: { "-app": "x" } } },
    [`metadata.labels: Invalid value: "-app": ${QUALIFIED_NAME_PART_MSG}`],
  ],
  [
    "a label key with an empty prefix",
    SIMPLE_POD,
    { metadata: { labels: { "/app": "x" } } },
    ['metadata.labels: Invalid value: "/app": prefix part must be non-empty'],
  ],
  [
    "an annotation key with a space",
    SIMPLE_POD,
    { metadata: { annotations: { "my key": "v" } } },
    [`metadata.annotations: Invalid value: "my key": ${QUALIFIED_NAME_PART_MSG}`],
  ],
  [
    "annotation values may be anything",
    SIMPLE_POD,
    { metadata: { annotations: { "example.com/note": "any text, even {json}" } } },
    [],
  ],
  [
    "a finalizer that is neither standard nor qualified",
    SIMPLE_POD,
    { metadata: { finalizers: ["cleanup"] } },
    [
      'metadata.finalizers[0]: Invalid value: "cleanup": name is neither a standard finalizer name nor is it fully qualified',
    ],
  ],
  [
    "an owner reference without a uid",
    SIMPLE_POD,
    { metadata: { ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: "rs" }] } },
    ['metadata.ownerReferences[0].uid: Invalid value: "": uid must not be empty'],
  ],
  // ---- envelope ---------------------------------------------------------------------------
  [
    "an apiVersion that does not match the kind",
    SIMPLE_POD,
    { apiVersion: "apps/v1" },
    [
      'apiVersion: Invalid value: "apps/v1": the API version in the data (apps/v1) does not match the expected API version (v1)',
    ],
  ],
  [
    "labels that are not strings",
    SIMPLE_POD,
    { metadata: { labels: { replicas: 3 } } },
    ["metadata.labels[replicas]: Invalid value: 3: must be a string"],
  ],
];

describe("validateObject reports metadata errors with Kubernetes' paths and messages", () => {
  it.each(CASES)("%s", (_description, base, patch, expected) => {
    expect(errorsOf(base, patch)).toEqual(expected);
  });
  it("a namespaced object that skipped defaults has no namespace, and says so", () => {
    const patch = {
      spec: {
        restartPolicy: "Always",
        dnsPolicy: "ClusterFirst",
        containers: [{ name: "nginx", image: "nginx", ports: null }],
      },
    };
    expect(errorsOf(SIMPLE_POD, patch, false)).toEqual(["metadata.namespace: Required value"]);
  });

  it("a Pod without defaults lacks the port protocol, restartPolicy and dnsPolicy, which defaults supply", () => {
    expect(errorsOf(SIMPLE_POD, { metadata: { namespace: "default" } }, false)).toEqual([
      "spec.containers[0].ports[0].protocol: Required value",
      "spec.restartPolicy: Required value",
      "spec.dnsPolicy: Required value",
    ]);
  });
});
