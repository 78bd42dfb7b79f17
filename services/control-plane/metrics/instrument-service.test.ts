import {
  Client,
  type ClientDuplexStream,
  credentials,
  Metadata,
  type MethodDefinition,
  Server,
  ServerCredentials,
  type ServerDuplexStream,
  type ServerErrorResponse,
  type ServerReadableStream,
  type ServerUnaryCall,
  type ServerWritableStream,
  type ServiceDefinition,
  type ServiceError,
  type sendUnaryData,
  status,
  type UntypedServiceImplementation,
} from "@grpc/grpc-js";
import { type MetricObjectWithValues, type MetricValue, Registry } from "prom-client";
import { afterEach, describe, expect, it } from "vitest";
import { createGrpcMetrics, type GrpcMetrics } from "./grpc-metrics.js";
import { instrumentService } from "./instrument-service.js";
import { eventually } from "./test-support/wait.js";

// A JSON-over-gRPC test service with one method of each kind; no .proto needed.
type Msg = Record<string, unknown>;
const toBytes = (v: Msg): Buffer => Buffer.from(JSON.stringify(v));
const fromBytes = (b: Buffer): Msg => JSON.parse(b.toString()) as Msg;
function method(name: string, requestStream: boolean, responseStream: boolean): MethodDefinition<Msg, Msg> {
  return {
    path: `/test.Echo/${name}`,
    requestStream,
    responseStream,
    requestSerialize: toBytes,
    requestDeserialize: fromBytes,
    responseSerialize: toBytes,
    responseDeserialize: fromBytes,
    originalName: name.toLowerCase(),
  };
}
const definition = {
  Unary: method("Unary", false, false),
  Collect: method("Collect", true, false),
  Count: method("Count", false, true),
  Chat: method("Chat", true, true),
} satisfies ServiceDefinition;
const SERVICE = "test.Echo";

/** How a handler fails: the client must see exactly this. */
function failure(code: number, details: string): ServerErrorResponse {
  const metadata = new Metadata();
  metadata.set("why", details);
  return Object.assign(new Error(details), { code, details, metadata });
}

/** The implementation, keyed by original names (as generated handlers are), using `this`. */
class EchoService {
  readonly prefix = "echo:";
  /** Ends of server streams held open until the test releases them. */
  readonly held: Array<() => void> = [];
  /** Messages read from client streams. */
  received = 0;

  unary(call: ServerUnaryCall<Msg, Msg>, callback: sendUnaryData<Msg>): void {
    const req = call.request;
    if (req["throw"]) throw new Error("handler bug");
    if (typeof req["fail"] === "number") callback(failure(req["fail"], "unary refused"));
    else callback(null, { echo: this.prefix + String(req["text"]) });
  }

  collect(call: ServerReadableStream<Msg, Msg>, callback: sendUnaryData<Msg>): void {
    let sum = 0;
    call.on("data", (m: Msg) => {
      sum += Number(m["n"]);
      this.received++;
    });
    call.on("end", () =>
      sum < 0 ? callback(failure(status.OUT_OF_RANGE, "negative sum")) : callback(null, { sum }),
    );
  }

  count(call: ServerWritableStream<Msg, Msg>): void {
    const n = Number(call.request["n"]);
    for (let i = 0; i < n; i++) call.write({ i });
    const finish = (): void => {
      if (typeof call.request["fail"] === "number")
        call.emit("error", failure(call.request["fail"], "stream refused"));
      else call.end();
    };
    if (call.request["hold"]) this.held.push(finish);
    else finish();
  }

  chat(call: ServerDuplexStream<Msg, Msg>): void {
    call.on("data", (m: Msg) => {
      if (m["fail"]) call.emit("error", failure(status.ABORTED, "chat aborted"));
      else call.write({ echo: this.prefix + String(m["text"]) });
    });
    call.on("end", () => call.end());
  }
}

let server: Server | undefined;
let client: Client | undefined;
afterEach(() => {
  client?.close();
  server?.forceShutdown();
  client = undefined;
  server = undefined;
});

async function start(
  impl: UntypedServiceImplementation,
): Promise<{ metrics: GrpcMetrics; registry: Registry }> {
  const registry = new Registry();
  const metrics = createGrpcMetrics(registry);
  server = new Server();
  server.addService(definition, instrumentService(definition, impl, metrics));
  const port = await new Promise<number>((resolve, reject) =>
    server!.bindAsync("127.0.0.1:0", ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  client = new Client(`127.0.0.1:${port}`, credentials.createInsecure());
  return { metrics, registry };
}

function unary(req: Msg): Promise<Msg> {
  const d = definition.Unary;
  return new Promise((resolve, reject) =>
    client!.makeUnaryRequest(d.path, d.requestSerialize, d.responseDeserialize, req, (err, res) =>
      err ? reject(err) : resolve(res!),
    ),
  );
}

/** Resolves with the client's final status of a call. */
function statusOf(call: { on(e: "status", fn: (s: { code: number }) => void): unknown }): Promise<number> {
  return new Promise((resolve) => call.on("status", (s) => resolve(s.code)));
}

async function values(metric: { get(): Promise<MetricObjectWithValues<MetricValue<string>>> }) {
  return (await metric.get()).values;
}

async function requests(m: GrpcMetrics, method: string, code: string): Promise<number> {
  const v = await values(m.requests);
  return v.find((x) => x.labels["method"] === method && x.labels["code"] === code)?.value ?? 0;
}

async function openStreams(m: GrpcMetrics, method: string): Promise<number> {
  return (await values(m.streamsOpen)).find((x) => x.labels["method"] === method)?.value ?? 0;
}

async function durationCount(m: GrpcMetrics, method: string): Promise<number> {
  const v = (await m.duration.get()).values;
  return v.find((x) => x.metricName?.endsWith("_count") && x.labels["method"] === method)?.value ?? 0;
}

describe("instrumentService", () => {
  it("counts unary calls by status code, times them, and passes answers and errors through unchanged", async () => {
    const { metrics } = await start(new EchoService() as unknown as UntypedServiceImplementation);
    await expect(unary({ text: "hi" })).resolves.toEqual({ echo: "echo:hi" });
    await expect(unary({ text: "again" })).resolves.toEqual({ echo: "echo:again" });
    const err = (await unary({ fail: status.NOT_FOUND }).catch((e: unknown) => e)) as ServiceError;
    expect(err.code).toBe(status.NOT_FOUND);
    expect(err.details).toBe("unary refused");
    expect(err.metadata.get("why")).toEqual(["unary refused"]);

    expect(await requests(metrics, "Unary", "OK")).toBe(2);
    expect(await requests(metrics, "Unary", "NotFound")).toBe(1);
    expect(await durationCount(metrics, "Unary")).toBe(3);
    const labels = (await values(metrics.requests)).map((v) => v.labels["service"]);
    expect(new Set(labels)).toEqual(new Set([SERVICE]));
  });

  it("counts a unary handler that throws as Unknown, which is what the client gets", async () => {
    const { metrics } = await start(new EchoService() as unknown as UntypedServiceImplementation);
    const err = (await unary({ throw: true }).catch((e: unknown) => e)) as ServiceError;
    expect(err.code).toBe(status.UNKNOWN);
    expect(await requests(metrics, "Unary", "Unknown")).toBe(1);
  });

  it("counts a client stream as open while it is read, then by the code of its answer", async () => {
    const svc = new EchoService();
    const { metrics } = await start(svc as unknown as UntypedServiceImplementation);
    const d = definition.Collect;
    let answer: Msg | undefined;
    const call = client!.makeClientStreamRequest(
      d.path,
      d.requestSerialize,
      d.responseDeserialize,
      (e, r) => {
        answer = e ? { error: e.code } : r;
      },
    );
    const done = statusOf(call);
    call.write({ n: 2 });
    await eventually(() => svc.received === 1, "the server to read a message");
    expect(await openStreams(metrics, "Collect")).toBe(1);
    call.write({ n: 3 });
    call.end();
    expect(await done).toBe(status.OK);
    expect(answer).toEqual({ sum: 5 });
    expect(await openStreams(metrics, "Collect")).toBe(0);
    expect(await requests(metrics, "Collect", "OK")).toBe(1);

    const bad = client!.makeClientStreamRequest(d.path, d.requestSerialize, d.responseDeserialize, () => {});
    const badDone = statusOf(bad);
    bad.write({ n: -1 });
    bad.end();
    expect(await badDone).toBe(status.OUT_OF_RANGE);
    expect(await requests(metrics, "Collect", "OutOfRange")).toBe(1);
    expect(await openStreams(metrics, "Collect")).toBe(0);
    expect(await durationCount(metrics, "Collect")).toBe(0); // latency is for unary calls only
  });

  it("counts a server stream as open until it ends, and its error reaches the client unchanged", async () => {
    const svc = new EchoService();
    const { metrics } = await start(svc as unknown as UntypedServiceImplementation);
    const d = definition.Count;
    const held = client!.makeServerStreamRequest(d.path, d.requestSerialize, d.responseDeserialize, {
      n: 3,
      hold: true,
    });
    const got: Msg[] = [];
    held.on("data", (m: Msg) => got.push(m));
    const heldDone = statusOf(held);
    await eventually(() => got.length === 3, "three messages");
    expect(await openStreams(metrics, "Count")).toBe(1);
    svc.held.shift()!();
    expect(await heldDone).toBe(status.OK);
    await eventually(async () => (await requests(metrics, "Count", "OK")) === 1, "the stream to be counted");
    expect(await openStreams(metrics, "Count")).toBe(0);

    const failing = client!.makeServerStreamRequest(d.path, d.requestSerialize, d.responseDeserialize, {
      n: 1,
      fail: status.FAILED_PRECONDITION,
    });
    failing.on("data", () => {});
    const err = await new Promise<ServiceError>((resolve) => failing.on("error", resolve));
    expect(err.code).toBe(status.FAILED_PRECONDITION);
    expect(err.details).toBe("stream refused");
    expect(err.metadata.get("why")).toEqual(["stream refused"]);
    await eventually(
      async () => (await requests(metrics, "Count", "FailedPrecondition")) === 1,
      "the failed stream to be counted",
    );
    expect(await openStreams(metrics, "Count")).toBe(0);
  });

  it("counts bidi streams while open, then by how each ended", async () => {
    const { metrics } = await start(new EchoService() as unknown as UntypedServiceImplementation);
    const d = definition.Chat;
    const open = (): ClientDuplexStream<Msg, Msg> =>
      client!.makeBidiStreamRequest(d.path, d.requestSerialize, d.responseDeserialize);

    const a = open();
    const b = open();
    const replies: Msg[] = [];
    a.on("data", (m: Msg) => replies.push(m));
    b.on("data", () => {});
    a.write({ text: "x" });
    b.write({ text: "y" });
    await eventually(() => replies.length === 1, "an echo");
    await eventually(async () => (await openStreams(metrics, "Chat")) === 2, "two open streams");
    expect(replies).toEqual([{ echo: "echo:x" }]);

    const aDone = statusOf(a);
    a.end();
    expect(await aDone).toBe(status.OK);
    await eventually(async () => (await requests(metrics, "Chat", "OK")) === 1, "the end to count");
    expect(await openStreams(metrics, "Chat")).toBe(1);

    const bErr = new Promise<ServiceError>((resolve) => b.on("error", resolve));
    b.write({ fail: true });
    const e = await bErr;
    expect([e.code, e.details, e.metadata.get("why")]).toEqual([
      status.ABORTED,
      "chat aborted",
      ["chat aborted"],
    ]);
    await eventually(async () => (await requests(metrics, "Chat", "Aborted")) === 1, "the abort to count");
    expect(await openStreams(metrics, "Chat")).toBe(0);
  });

  it("counts a stream the client cancels as Canceled and no longer open", async () => {
    const svc = new EchoService();
    const { metrics } = await start(svc as unknown as UntypedServiceImplementation);
    const d = definition.Count;
    const call = client!.makeServerStreamRequest(d.path, d.requestSerialize, d.responseDeserialize, {
      n: 1,
      hold: true,
    });
    const cancelled = new Promise<ServiceError>((resolve) => call.on("error", resolve));
    await new Promise((resolve) => call.once("data", resolve));
    expect(await openStreams(metrics, "Count")).toBe(1);
    call.cancel();
    expect((await cancelled).code).toBe(status.CANCELLED);
    await eventually(async () => (await requests(metrics, "Count", "Canceled")) === 1, "the cancel to count");
    expect(await openStreams(metrics, "Count")).toBe(0);
    svc.held.shift()!(); // the handler ending it afterwards changes nothing
    await new Promise((r) => setTimeout(r, 20));
    expect(await values(metrics.requests)).toEqual([
      { value: 1, labels: { service: SERVICE, method: "Count", code: "Canceled" } },
    ]);
  });

  it("leaves out a method the implementation lacks, so grpc-js still answers UNIMPLEMENTED", async () => {
    const svc = new EchoService();
    const { metrics } = await start({ unary: svc.unary.bind(svc) } as UntypedServiceImplementation);
    const d = definition.Count;
    const call = client!.makeServerStreamRequest(d.path, d.requestSerialize, d.responseDeserialize, { n: 1 });
    const err = await new Promise<ServiceError>((resolve) => call.on("error", resolve));
    expect(err.code).toBe(status.UNIMPLEMENTED);
    expect(await values(metrics.requests)).toEqual([]);
    await expect(unary({ text: "still" })).resolves.toEqual({ echo: "echo:still" });
  });
});
