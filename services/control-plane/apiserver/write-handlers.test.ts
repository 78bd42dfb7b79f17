import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ApiObject } from "../../../libs/api/index.js";
import { ApiError } from "./api-error.js";
import { getObject } from "./read-handlers.js";
import { json, pod, startTestApi, type TestApi } from "./testing.js";
import { createObject, patchObject, updateObject } from "./write-handlers.js";

const deployment = (name: string, replicas: number, image = "nginx:1.27") => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "main", image }] } },
  },
});

async function rejection(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  throw new Error("expected a rejection");
}

describe("create", () => {
  let api: TestApi;
  beforeEach(async () => {
    api = await startTestApi();
  });
  afterEach(() => api.close());

  it("sets the server's metadata and the defaults, and stores the object", async () => {
    const created = await createObject(api.ctx, "pods", "", json(pod("web")));
    expect(created.metadata).toMatchObject({
      name: "web",
      namespace: "default",
      uid: "uid-5",
      creationTimestamp: "2026-01-02T03:04:05Z",
      resourceVersion: String(api.store.revision),
    });
    expect((created.spec as { restartPolicy?: string }).restartPolicy).toBe("Always");
    const read = await getObject(api.ctx, {
      kind: "Pod",
      namespace: "default",
      name: "web",
      resourceVersion: "",
    });
    expect(read).toEqual(created);
  });

  it("names an object from generateName with a random suffix", async () => {
    const body = { ...pod(""), metadata: { generateName: "web-" } };
    const created = await createObject(api.ctx, "po", "default", json(body));
    expect(created.metadata.name).toBe("web-x0001");
  });

  it("refuses a second object of the same name with AlreadyExists", async () => {
    await createObject(api.ctx, "Pod", "default", json(pod("web")));
    const err = await rejection(createObject(api.ctx, "Pod", "default", json(pod("web"))));
    expect({ reason: err.reason, message: err.message }).toEqual({
      reason: "AlreadyExists",
      message: 'pods "web" already exists',
    });
  });

  describe("every bad input gets a clear error and writes nothing", () => {
    const big = { ...pod("big"), metadata: { name: "big", annotations: { a: "x".repeat(2 * 1024 * 1024) } } };
    const cases: Array<[string, () => [string, string, Buffer], string, string | RegExp]> = [
      [
        "malformed JSON",
        () => ["Pod", "default", Buffer.from('{"kind": "Pod",')],
        "BadRequest",
        /not valid JSON/,
      ],
      ["a JSON array", () => ["Pod", "default", json([1])], "BadRequest", /must be a JSON object/],
      ["an empty body", () => ["Pod", "default", Buffer.alloc(0)], "BadRequest", /empty/],
      [
        "the wrong kind",
        () => ["Pod", "default", json({ apiVersion: "v1", kind: "Service", metadata: { name: "s" } })],
        "BadRequest",
        'the kind in the body "Service" does not match the request "Pod"',
      ],
      [
        "an invalid object",
        () => ["Deployment", "default", json(deployment("d", -1))],
        "Invalid",
        /spec\.replicas/,
      ],
      [
        "an oversized object",
        () => ["Pod", "default", json(big)],
        "RequestEntityTooLarge",
        /limit is 1572864/,
      ],
      [
        "an unknown kind",
        () => ["Foo", "default", json({ apiVersion: "v1", kind: "Foo", metadata: { name: "f" } })],
        "NotFound",
        'the server could not find the requested resource (kind "Foo")',
      ],
      [
        "an unknown namespace",
        () => ["Pod", "nope", json(pod("web"))],
        "NotFound",
        'namespaces "nope" not found',
      ],
      [
        "a body namespace other than the request's",
        () => ["Pod", "default", json(pod("web", { namespace: "kube-system" }))],
        "BadRequest",
        /does not match the namespace sent on the request/,
      ],
    ];
    for (const [what, input, reason, message] of cases) {
      it(what, async () => {
        const before = api.store.revision;
        const err = await rejection(createObject(api.ctx, ...input()));
        expect(err.reason).toBe(reason);
        if (typeof message === "string") expect(err.message).toBe(message);
        else expect(err.message).toMatch(message);
        expect(api.store.revision).toBe(before);
      });
    }

    it("an invalid object carries its field errors as causes", async () => {
      const err = await rejection(createObject(api.ctx, "Deployment", "default", json(deployment("d", -1))));
      expect(err.message).toMatch(/^Deployment "d" is invalid: /);
      expect(err.causes.map((c) => c.field)).toContain("spec.replicas");
    });
  });
});

describe("update, status subresource and patch", () => {
  let api: TestApi;
  let d: ApiObject;
  beforeEach(async () => {
    api = await startTestApi();
    d = await createObject(api.ctx, "Deployment", "default", json(deployment("web", 2)));
  });
  afterEach(() => api.close());

  const update = (obj: unknown) => updateObject(api.ctx, "Deployment", "default", json(obj), "main");
  const updateStatus = (obj: unknown) => updateObject(api.ctx, "Deployment", "default", json(obj), "status");

  it("fails with Kubernetes' Conflict message on a stale resourceVersion, and writes nothing", async () => {
    await update({ ...d, spec: { ...(d.spec as object), replicas: 3 } });
    const before = api.store.revision;
    const err = await rejection(update({ ...d, spec: { ...(d.spec as object), replicas: 4 } }));
    expect({ reason: err.reason, message: err.message }).toEqual({
      reason: "Conflict",
      message:
        'Operation cannot be fulfilled on deployments.apps "web": the object has been modified; please apply your changes to the latest version and try again',
    });
    expect(api.store.revision).toBe(before);
  });

  it("without a resourceVersion, updates whatever is stored", async () => {
    const { resourceVersion: _rv, ...metadata } = d.metadata;
    const next = await update({ ...d, metadata, spec: { ...(d.spec as object), replicas: 5 } });
    expect((next.spec as { replicas: number }).replicas).toBe(5);
  });

  it("bumps generation on a spec change only, and ignores status", async () => {
    expect(d.metadata.generation).toBe(1);
    const labelled = await update({ ...d, metadata: { ...d.metadata, labels: { team: "a" } } });
    expect(labelled.metadata.generation).toBe(1);
    const scaled = await update({
      ...labelled,
      spec: { ...(labelled.spec as object), replicas: 3 },
      status: { replicas: 99 },
    });
    expect(scaled.metadata.generation).toBe(2);
    expect(scaled.status).toEqual(d.status);
  });

  it("an unchanged object is not written and keeps its resourceVersion", async () => {
    const before = api.store.revision;
    const same = await update(d);
    expect(same.metadata.resourceVersion).toBe(d.metadata.resourceVersion);
    expect(api.store.revision).toBe(before);
  });

  it("UpdateStatus replaces status only: spec and generation stay", async () => {
    const next = await updateStatus({
      ...d,
      spec: { ...(d.spec as object), replicas: 9 },
      status: { replicas: 2 },
    });
    expect(next.status).toEqual({ replicas: 2 });
    expect((next.spec as { replicas: number }).replicas).toBe(2);
    expect(next.metadata.generation).toBe(1);
  });

  it("UpdateStatus of a kind without status is NotFound", async () => {
    const c = await createObject(
      api.ctx,
      "ConfigMap",
      "default",
      json({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" } }),
    );
    const err = await rejection(updateObject(api.ctx, "ConfigMap", "default", json(c), "status"));
    expect(err.reason).toBe("NotFound");
  });

  it("an update of a missing object is NotFound, an invalid one is Invalid, a renamed kind is BadRequest", async () => {
    expect((await rejection(update({ ...deployment("ghost", 1) }))).message).toBe(
      'deployments.apps "ghost" not found',
    );
    expect((await rejection(update({ ...d, spec: { ...(d.spec as object), replicas: -1 } }))).reason).toBe(
      "Invalid",
    );
    expect((await rejection(update({ ...d, kind: "StatefulSet" }))).reason).toBe("BadRequest");
  });

  it("Patch merges into the stored object, and fails on a stale pinned resourceVersion", async () => {
    const patched = await patchObject(
      api.ctx,
      "deployments",
      "default",
      "web",
      json({ metadata: { labels: { a: "b" } }, spec: { replicas: 7 } }),
    );
    expect(patched.metadata.labels).toEqual({ a: "b" });
    expect((patched.spec as { replicas: number }).replicas).toBe(7);
    expect(patched.metadata.generation).toBe(2);
    const err = await rejection(
      patchObject(
        api.ctx,
        "deployments",
        "default",
        "web",
        json({ metadata: { resourceVersion: d.metadata.resourceVersion }, spec: { replicas: 1 } }),
      ),
    );
    expect(err.reason).toBe("Conflict");
  });

  it("Patch retries when another write lands between its read and its write", async () => {
    api.backend.beforeNextPropose(async () => {
      await patchObject(
        api.ctx,
        "deployments",
        "default",
        "web",
        json({ metadata: { annotations: { racer: "yes" } } }),
      );
    });
    const patched = await patchObject(
      api.ctx,
      "deployments",
      "default",
      "web",
      json({ metadata: { labels: { mine: "yes" } } }),
    );
    expect(patched.metadata.labels).toEqual({ mine: "yes" });
    expect(patched.metadata.annotations).toEqual({ racer: "yes" });
  });

  it("an update without resourceVersion that loses every race gives up with Conflict after the bounded retries", async () => {
    const racer = (i: number) => async () => {
      await patchObject(
        api.ctx,
        "deployments",
        "default",
        "web",
        json({ metadata: { annotations: { racer: String(i) } } }),
      );
    };
    for (let i = 0; i < 5; i++) api.backend.beforeNextPropose(racer(i));
    const { resourceVersion: _rv, ...metadata } = d.metadata;
    const err = await rejection(update({ ...d, metadata: { ...metadata, labels: { mine: "yes" } } }));
    expect(err.reason).toBe("Conflict");
    const now = await getObject(api.ctx, {
      kind: "deployments",
      namespace: "default",
      name: "web",
      resourceVersion: "",
    });
    expect(now.metadata.annotations).toEqual({ racer: "4" });
    expect(now.metadata.labels).toBeUndefined();
  });

  it("an update without resourceVersion that loses one race retries and wins", async () => {
    api.backend.beforeNextPropose(async () => {
      await patchObject(
        api.ctx,
        "deployments",
        "default",
        "web",
        json({ metadata: { annotations: { racer: "1" } } }),
      );
    });
    const { resourceVersion: _rv, ...metadata } = d.metadata;
    const next = await update({ ...d, metadata: { ...metadata, labels: { mine: "yes" } } });
    expect(next.metadata.labels).toEqual({ mine: "yes" });
  });

  it("a bad patch writes nothing", async () => {
    const before = api.store.revision;
    for (const body of [Buffer.from("{"), json({ kind: "Service" }), json({ spec: { replicas: -3 } })]) {
      await expect(patchObject(api.ctx, "deployments", "default", "web", body)).rejects.toBeInstanceOf(
        ApiError,
      );
    }
    expect(await rejection(patchObject(api.ctx, "deployments", "default", "nope", json({})))).toMatchObject({
      reason: "NotFound",
    });
    expect(api.store.revision).toBe(before);
  });
});
