/**
 * `flotilla apply/get/delete` against real masters started with `flotilla up --detach`: the
 * Kubernetes docs' nginx Deployment is created, left unchanged, then configured; get prints
 * tables, JSON and selections; invalid objects and files that are not YAML fail clearly and
 * write nothing; delete removes; `get --watch` shows an object created while it runs. One
 * cluster for the file; every wait is bounded; afterAll stops whatever is left.
 */
import { spawn } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readCluster } from "../../services/cli/support/cluster-dir.js";
import { isMasterAlive, signalPid } from "../../services/cli/support/process.js";
import { CLI_MAIN, flotilla, flotillaOk, ROOT, run } from "./support/cli-run.js";

/** The Deployment from kubernetes.io/docs/concepts/workloads/controllers/deployment/, verbatim. */
const NGINX_DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: nginx-deployment
  labels:
    app: nginx
spec:
  replicas: 3
  selector:
    matchLabels:
      app: nginx
  template:
    metadata:
      labels:
        app: nginx
    spec:
      containers:
      - name: nginx
        image: nginx:1.14.2
        ports:
        - containerPort: 80
`;

const GAME_DEMO = `apiVersion: v1
kind: ConfigMap
metadata:
  name: game-demo
  labels:
    app: game
data:
  player_initial_lives: "3"
  ui_properties_file_name: "user-interface.properties"
`;

/** How long `get --watch` may take to show an event. */
const WATCH_MS = 20_000;

describe("flotilla apply, get and delete", () => {
  let tmp: string;
  let dir: string;
  const file = (name: string, text: string): string => {
    const path = join(tmp, name);
    writeFileSync(path, text);
    return path;
  };
  const cli = (...args: string[]) => flotilla([...args, "--dir", dir]);

  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), "flotilla-cli-api-"));
    dir = join(tmp, "cluster");
    await flotillaOk(["up", "--detach", "--dir", dir, "--tick-ms", "20", "--timeout", "45"], 60_000);
  }, 70_000);

  afterAll(async () => {
    await flotilla(["down", "--dir", dir, "--timeout", "3"], 20_000);
    try {
      for (const m of readCluster(dir).members) if (isMasterAlive(dir, m)) signalPid(m.pid!, "SIGKILL");
    } catch {
      // no cluster.json: nothing was started
    }
    rmSync(tmp, { recursive: true, force: true });
  }, 30_000);

  it("apply creates the docs' nginx Deployment and a ConfigMap from one multi-document file", async () => {
    const r = await cli("apply", "-f", file("app.yaml", `${NGINX_DEPLOYMENT}---\n${GAME_DEMO}`));
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("deployment.apps/nginx-deployment created\nconfigmap/game-demo created\n");
    expect(r.code).toBe(0);
  });

  it("apply of the same objects again says unchanged", async () => {
    const r = await cli("apply", "-f", join(tmp, "app.yaml"));
    expect(r.stdout).toBe("deployment.apps/nginx-deployment unchanged\nconfigmap/game-demo unchanged\n");
    expect(r.code).toBe(0);
  });

  it("apply with a new image says configured and the stored object has it", async () => {
    const r = await cli(
      "apply",
      "-f",
      file("v2.yaml", NGINX_DEPLOYMENT.replace("nginx:1.14.2", "nginx:1.16.1")),
    );
    expect(r.stdout).toBe("deployment.apps/nginx-deployment configured\n");
    const got = JSON.parse((await cli("get", "deploy", "nginx-deployment", "-o", "json")).stdout) as {
      spec: { template: { spec: { containers: { image: string }[] } } };
      metadata: { generation: number };
    };
    expect(got.spec.template.spec.containers[0]!.image).toBe("nginx:1.16.1");
    expect(got.metadata.generation).toBe(2);
  });

  it("apply reads a List from stdin", async () => {
    const list = JSON.stringify({
      apiVersion: "v1",
      kind: "List",
      items: ["a", "b"].map((n) => ({
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: `list-${n}` },
      })),
    });
    const r = await run(process.execPath, ["--import", "tsx", CLI_MAIN, "apply", "-f", "-", "--dir", dir], {
      stdin: list,
      timeoutMs: 30_000,
    });
    expect(r.stdout).toBe("configmap/list-a created\nconfigmap/list-b created\n");
  });

  it("get deployments prints a table with READY, UP-TO-DATE, AVAILABLE and AGE", async () => {
    const r = await cli("get", "deployments");
    expect(r.code).toBe(0);
    const [header, row, ...rest] = r.stdout.trimEnd().split("\n");
    expect(header).toMatch(/^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE$/);
    expect(row).toMatch(/^nginx-deployment\s+\d+\/3\s+\d+\s+\d+\s+\S+$/);
    expect(rest).toEqual([]);
  });

  it("get -o json prints the stored object with its uid and resourceVersion", async () => {
    const r = await cli("get", "configmap", "game-demo", "-o", "json");
    const obj = JSON.parse(r.stdout) as { kind: string; metadata: Record<string, string>; data: object };
    expect(obj.kind).toBe("ConfigMap");
    expect(obj.metadata["uid"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(obj.metadata["resourceVersion"]).toMatch(/^\d+$/);
    expect(obj.data).toEqual({
      player_initial_lives: "3",
      ui_properties_file_name: "user-interface.properties",
    });
  });

  it("get -l selects by label, and a list is a v1 List", async () => {
    const r = await cli("get", "cm", "-l", "app=game", "-o", "json");
    const list = JSON.parse(r.stdout) as {
      apiVersion: string;
      kind: string;
      items: { metadata: { name: string } }[];
    };
    expect(list.apiVersion).toBe("v1");
    expect(list.kind).toBe("List");
    expect(list.items.map((i) => i.metadata.name)).toEqual(["game-demo"]);
    const table = await cli("get", "cm", "-l", "app=game");
    expect(table.stdout.split("\n")[1]).toMatch(/^game-demo\s+\S+$/);
  });

  it("get of a missing name prints the server's NotFound and exits 1", async () => {
    const r = await cli("get", "pods", "nope");
    expect(r.stderr.trim()).toBe('Error from server (NotFound): pods "nope" not found');
    expect(r.code).toBe(1);
  });

  it("apply of an invalid object prints the field error, exits 1 and writes nothing", async () => {
    const bad = NGINX_DEPLOYMENT.replace("replicas: 3", "replicas: -1").replace(
      "nginx-deployment",
      "bad-deploy",
    );
    const r = await cli(
      "apply",
      "-f",
      file("bad.yaml", `${bad}---\n${GAME_DEMO.replace("game-demo", "after-bad")}`),
    );
    expect(r.stderr).toContain("spec.replicas: Invalid value: -1: must be greater than or equal to 0");
    expect(r.stderr).toMatch(/^Error from server \(Invalid\): Deployment "bad-deploy" is invalid/);
    expect(r.stdout).toBe("configmap/after-bad created\n"); // the rest still go
    expect(r.code).toBe(1);
    const get = await cli("get", "deploy", "bad-deploy");
    expect(get.stderr).toContain("(NotFound)");
  });

  it("apply of a file that is not YAML names the file and exits 1", async () => {
    const path = file("junk.yaml", "this: is: not\n  - yaml: [\n");
    const r = await cli("apply", "-f", path);
    expect(r.stderr).toContain(`${path} is not valid YAML or JSON`);
    expect(r.code).toBe(1);
  });

  it("delete says deleted, and get afterwards is NotFound; deleting again exits 1", async () => {
    const r = await cli("delete", "configmap", "game-demo");
    expect(r.stdout).toBe('configmap "game-demo" deleted\n');
    expect(r.code).toBe(0);
    expect((await cli("get", "cm", "game-demo")).stderr.trim()).toBe(
      'Error from server (NotFound): configmaps "game-demo" not found',
    );
    const again = await cli("delete", "cm", "game-demo");
    expect(again.stderr.trim()).toBe('Error from server (NotFound): configmaps "game-demo" not found');
    expect(again.code).toBe(1);
    const byFile = await cli("delete", "-f", join(tmp, "v2.yaml"));
    expect(byFile.stdout).toBe('deployment.apps "nginx-deployment" deleted\n');
  });

  it("get --watch shows an ADDED row for an object created while it runs, and stops on SIGINT", async () => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", CLI_MAIN, "get", "cm", "--watch", "--dir", dir],
      {
        cwd: ROOT,
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.once("close", (code) => resolve(code)));
    const until = async (re: RegExp): Promise<void> => {
      const deadline = Date.now() + WATCH_MS;
      while (!re.test(out)) {
        if (Date.now() > deadline) throw new Error(`no ${re} within ${WATCH_MS} ms; output:\n${out}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    try {
      await until(/^EVENT\s+NAME\s+AGE$/m);
      await until(/^ADDED\s+list-a\s/m);
      await flotillaOk([
        "apply",
        "-f",
        file("w.yaml", GAME_DEMO.replace("game-demo", "watched")),
        "--dir",
        dir,
      ]);
      await until(/^ADDED\s+watched\s/m);
      child.kill("SIGINT");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      expect(await exited).toBe(0);
      clearTimeout(timer);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  }, 40_000);
});
