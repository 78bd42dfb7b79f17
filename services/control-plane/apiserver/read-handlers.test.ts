import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ApiError } from "./api-error.js";
import { deleteObject } from "./delete-handler.js";
import { getObject, type ListParams, listObjects } from "./read-handlers.js";
import { json, pod, startTestApi, type TestApi } from "./testing.js";
import { createObject, patchObject } from "./write-handlers.js";

const list = (api: TestApi, p: Partial<ListParams>) =>
  listObjects(api.ctx, {
    kind: "pods",
    namespace: "",
    labelSelector: "",
    fieldSelector: "",
    limit: 0,
    continueToken: "",
    resourceVersion: "",
    resourceVersionMatch: "",
    ...p,
  });

const names = (items: readonly { metadata: { name?: string } }[]) => items.map((i) => i.metadata.name);

describe("get and list", () => {
  let api: TestApi;
  beforeEach(async () => {
    api = await startTestApi();
    await createObject(
      api.ctx,
      "Namespace",
      "",
      json({ apiVersion: "v1", kind: "Namespace", metadata: { name: "team" } }),
    );
    for (let i = 0; i < 10; i++) {
      const ns = i % 2 === 0 ? "default" : "team";
      const labels = { app: i < 5 ? "web" : "db", idx: String(i) };
      await createObject(
        api.ctx,
        "Pod",
        ns,
        json(pod(`p${i}`, { labels, ...(i % 3 === 0 ? { nodeName: "n1" } : {}) })),
      );
    }
  });
  afterEach(() => api.close());

  it("Get reads the latest object, or says NotFound in Kubernetes' words", async () => {
    const p = await getObject(api.ctx, {
      kind: "pods",
      namespace: "default",
      name: "p0",
      resourceVersion: "",
    });
    expect(p.metadata.name).toBe("p0");
    await expect(
      getObject(api.ctx, { kind: "pods", namespace: "default", name: "zz", resourceVersion: "" }),
    ).rejects.toMatchObject({
      reason: "NotFound",
      message: 'pods "zz" not found',
    });
  });

  it("Get at resourceVersion 0 and N reads the cache; a bad resourceVersion is BadRequest", async () => {
    const rv = String(api.store.revision);
    for (const resourceVersion of ["0", rv]) {
      const p = await getObject(api.ctx, { kind: "pods", namespace: "team", name: "p1", resourceVersion });
      expect(p.metadata.namespace).toBe("team");
    }
    await expect(
      getObject(api.ctx, { kind: "pods", namespace: "team", name: "p1", resourceVersion: "x" }),
    ).rejects.toMatchObject({
      reason: "BadRequest",
    });
  });

  it("List returns every object in key order (namespace, then name), in one namespace or all", async () => {
    const all = await list(api, {});
    expect(names(all.items)).toEqual(["p0", "p2", "p4", "p6", "p8", "p1", "p3", "p5", "p7", "p9"]);
    expect(all.kind).toBe("PodList");
    expect(all.resourceVersion).toBe(String(api.store.revision));
    const team = await list(api, { namespace: "team" });
    expect(names(team.items)).toEqual(["p1", "p3", "p5", "p7", "p9"]);
  });

  it("applies label and field selectors on the server", async () => {
    expect(names((await list(api, { labelSelector: "app=web,idx notin (0,1)" })).items)).toEqual([
      "p2",
      "p4",
      "p3",
    ]);
    expect(names((await list(api, { fieldSelector: "spec.nodeName=n1" })).items)).toEqual([
      "p0",
      "p6",
      "p3",
      "p9",
    ]);
    expect(names((await list(api, { fieldSelector: "metadata.name=p7" })).items)).toEqual(["p7"]);
  });

  it("rejects a malformed selector with BadRequest", async () => {
    for (const p of [{ labelSelector: "app in (" }, { fieldSelector: "spec.bogus=1" }]) {
      const err = await list(api, p).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ApiError);
      expect((err as ApiError).reason).toBe("BadRequest");
    }
  });

  it("pages with limit and continue cover every object exactly once, even with writes between pages", async () => {
    const seen: string[] = [];
    let page = await list(api, { limit: 3 });
    expect(page.remainingItemCount).toBe(7);
    const rv = page.resourceVersion;
    seen.push(...names(page.items).map(String));
    let writes = 0;
    while (page.continueToken !== "") {
      // Changes after the first page must not show in the later ones.
      await createObject(api.ctx, "Pod", "default", json(pod(`late${writes++}`)));
      await deleteObject(api.ctx, {
        kind: "pods",
        namespace: "team",
        name: `p${2 * writes + 1}`,
        uid: "",
        resourceVersion: "",
      }).catch(() => {});
      page = await list(api, { limit: 3, continueToken: page.continueToken });
      expect(page.resourceVersion).toBe(rv);
      seen.push(...names(page.items).map(String));
    }
    expect(seen).toEqual(["p0", "p2", "p4", "p6", "p8", "p1", "p3", "p5", "p7", "p9"]);
  });

  it("pages with a selector are full pages of matches", async () => {
    const seen: string[] = [];
    let token = "";
    let pages = 0;
    do {
      const page = await list(api, { limit: 2, labelSelector: "app=db", continueToken: token });
      expect(page.remainingItemCount).toBe(0);
      seen.push(...names(page.items).map(String));
      token = page.continueToken;
      pages++;
    } while (token !== "" && pages < 10);
    expect(seen).toEqual(["p6", "p8", "p5", "p7", "p9"]);
  });

  it("an Exact read shows the store as it was at that resourceVersion", async () => {
    const rv = String(api.store.revision);
    await patchObject(api.ctx, "pods", "default", "p0", json({ metadata: { labels: { app: "changed" } } }));
    await deleteObject(api.ctx, {
      kind: "pods",
      namespace: "default",
      name: "p2",
      uid: "",
      resourceVersion: "",
    });
    const then = await list(api, {
      namespace: "default",
      resourceVersion: rv,
      resourceVersionMatch: "Exact",
    });
    expect(names(then.items)).toEqual(["p0", "p2", "p4", "p6", "p8"]);
    expect(then.items[0]?.metadata.labels?.app).toBe("web");
    expect(then.resourceVersion).toBe(rv);
  });

  it("a compacted continue token or Exact revision is Expired, with Kubernetes' message", async () => {
    const first = await list(api, { limit: 2 });
    const rv = first.resourceVersion;
    await createObject(api.ctx, "Pod", "default", json(pod("after")));
    await api.backend.propose({ type: "compact", compact: { revision: api.store.revision } });
    await expect(list(api, { limit: 2, continueToken: first.continueToken })).rejects.toMatchObject({
      reason: "Expired",
      message:
        "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.",
    });
    await expect(list(api, { resourceVersion: rv, resourceVersionMatch: "Exact" })).rejects.toMatchObject({
      reason: "Expired",
    });
  });

  it("rejects malformed list options with BadRequest", async () => {
    const bad: Partial<ListParams>[] = [
      { continueToken: "!!!" },
      { continueToken: Buffer.from('{"v":"x"}').toString("base64url") },
      { limit: -1 },
      { resourceVersionMatch: "Sometimes", resourceVersion: "1" },
      { resourceVersionMatch: "Exact" },
      { resourceVersionMatch: "Exact", resourceVersion: "0" },
    ];
    for (const p of bad) await expect(list(api, p)).rejects.toMatchObject({ reason: "BadRequest" });
  });

  it("a cached list (resourceVersion 0) applies selectors and returns everything in one page", async () => {
    const cached = await list(api, { resourceVersion: "0", labelSelector: "app=web", limit: 1 });
    expect(names(cached.items)).toEqual(["p0", "p2", "p4", "p1", "p3"]);
    expect(cached.continueToken).toBe("");
  });

  it("List of an unknown kind is NotFound", async () => {
    await expect(list(api, { kind: "widgets" })).rejects.toMatchObject({
      reason: "NotFound",
      message: 'the server could not find the requested resource (kind "widgets")',
    });
  });
});
