import { describe, expect, it } from "vitest";
import {
  type ApiObject,
  applyDefaults,
  decodeObject,
  formatFieldError,
  resolveKind,
  validateObject,
} from "./index.js";
import {
  APISERVER_LEASE,
  GAME_DEMO_CONFIGMAP,
  MY_SERVICE,
  NGINX_DEPLOYMENT,
  SIMPLE_POD,
} from "./test/docs-manifests.js";

const MANIFESTS: readonly [string, Record<string, unknown>][] = [
  ["the nginx Deployment from 'Deployments'", NGINX_DEPLOYMENT],
  ["the simple Pod from 'Pods'", SIMPLE_POD],
  ["the game-demo ConfigMap from 'ConfigMaps'", GAME_DEMO_CONFIGMAP],
  ["my-service from 'Service'", MY_SERVICE],
  ["the API server identity Lease from 'Leases'", APISERVER_LEASE],
];

function load(manifest: Record<string, unknown>): { obj: ApiObject; errors: string[] } {
  const info = resolveKind(String(manifest["kind"]));
  if (info === undefined) throw new Error(`unknown kind ${String(manifest["kind"])}`);
  const decoded = decodeObject(manifest, info);
  if (!decoded.ok) return { obj: manifest as ApiObject, errors: decoded.errors.map(formatFieldError) };
  const obj = applyDefaults(decoded.value, info);
  return { obj, errors: validateObject(obj, info).map(formatFieldError) };
}

/** Paths of `expected` whose value `actual` lacks or changed (arrays element by element, same length). */
function missingFrom(expected: unknown, actual: unknown, path: string): string[] {
  if (typeof expected !== "object" || expected === null) return Object.is(expected, actual) ? [] : [path];
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) return [path];
    return expected.flatMap((x, i) => missingFrom(x, actual[i], `${path}[${i}]`));
  }
  if (typeof actual !== "object" || actual === null || Array.isArray(actual)) return [path];
  const a = actual as Record<string, unknown>;
  return Object.entries(expected).flatMap(([k, v]) => missingFrom(v, a[k], `${path}.${k}`));
}

describe("manifests from the Kubernetes documentation", () => {
  it.each(MANIFESTS)("%s loads through decode, defaults and validation with no errors", (_name, manifest) => {
    const before = JSON.stringify(manifest);
    const { errors } = load(manifest);
    expect(errors).toEqual([]);
    expect(JSON.stringify(manifest)).toBe(before);
  });

  it.each(MANIFESTS)("%s keeps every field it was written with", (_name, manifest) => {
    const { obj } = load(manifest);
    // Defaults only add fields: every value of the manifest is in the loaded object, unchanged.
    expect(missingFrom(manifest, obj, "")).toEqual([]);
  });

  it("the Deployment gets Kubernetes' defaults for strategy, history, template and containers", () => {
    const { obj } = load(NGINX_DEPLOYMENT);
    expect(obj).toMatchObject({
      metadata: { namespace: "default" },
      spec: {
        replicas: 3,
        revisionHistoryLimit: 10,
        progressDeadlineSeconds: 600,
        strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "25%", maxSurge: "25%" } },
        template: {
          spec: {
            restartPolicy: "Always",
            dnsPolicy: "ClusterFirst",
            terminationGracePeriodSeconds: 30,
            schedulerName: "default-scheduler",
            containers: [
              { imagePullPolicy: "IfNotPresent", ports: [{ containerPort: 80, protocol: "TCP" }] },
            ],
          },
        },
      },
    });
  });

  it("an unknown field inside spec survives decode, defaults and a JSON round trip", () => {
    const manifest = {
      ...SIMPLE_POD,
      spec: { ...SIMPLE_POD.spec, futureField: { nested: [1, "two", null] } },
      topLevelExtra: true,
    };
    const { obj, errors } = load(manifest);
    expect(errors).toEqual([]);
    const roundTripped = JSON.parse(JSON.stringify(obj)) as ApiObject;
    expect((roundTripped.spec as Record<string, unknown>)["futureField"]).toEqual({
      nested: [1, "two", null],
    });
    expect(roundTripped["topLevelExtra"]).toBe(true);
  });

  it("the Service keeps its targetPort and gets type ClusterIP and sessionAffinity None", () => {
    const { obj } = load(MY_SERVICE);
    expect(obj.spec).toMatchObject({
      type: "ClusterIP",
      sessionAffinity: "None",
      ports: [{ port: 80, targetPort: 9376 }],
    });
  });
});
