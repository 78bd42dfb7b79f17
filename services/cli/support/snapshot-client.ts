/**
 * Maintenance.Snapshot as a client: streams one member's snapshot into a file. The file is
 * written under a temporary name, fsynced, checked (size, SHA-256, length: the envelope of
 * snapshot-envelope.ts) and only then renamed to its name, so FILE is whole or absent.
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { type ClientReadableStream, credentials } from "@grpc/grpc-js";
import { loadProtos } from "../../../proto/load.js";
import { unwrapSnapshotFile } from "../../control-plane/etcd/snapshot-envelope.js";

interface SnapshotResponse {
  readonly header: { readonly revision: string } | null;
  readonly remaining_bytes: string;
  readonly blob: Buffer;
}

interface MaintenanceClient {
  Snapshot(req: object, opts: { deadline: number }): ClientReadableStream<SnapshotResponse>;
  close(): void;
}

export interface SavedSnapshot {
  /** Bytes in the file (the envelope: store snapshot, padding, length, SHA-256). */
  readonly fileBytes: number;
  /** Bytes of the store snapshot inside it. */
  readonly dataBytes: number;
  /** The store revision the member reported in the stream's first header. */
  readonly revision: string;
}

/** Streams a snapshot from the etcd API at `address` (HOST:PORT) into `file`. */
export async function saveSnapshot(address: string, file: string, timeoutMs: number): Promise<SavedSnapshot> {
  const protos = loadProtos();
  const client = new protos.etcdserverpb.Maintenance(
    address,
    credentials.createInsecure(),
  ) as unknown as MaintenanceClient;
  const tmp = join(dirname(file), `.${basename(file)}.part-${process.pid}`);
  const fd = openSync(tmp, "w", 0o600);
  let closed = false;
  try {
    let revision = "";
    let fileBytes = 0;
    const stream = client.Snapshot({}, { deadline: Date.now() + timeoutMs });
    for await (const msg of stream as AsyncIterable<SnapshotResponse>) {
      if (revision === "" && msg.header) revision = msg.header.revision;
      if (msg.blob.length) writeSync(fd, msg.blob);
      fileBytes += msg.blob.length;
    }
    fsyncSync(fd);
    closeSync(fd);
    closed = true;
    const dataBytes = unwrapSnapshotFile(readFileSync(tmp)).length;
    renameSync(tmp, file);
    fsyncDir(dirname(file));
    return { fileBytes, dataBytes, revision };
  } catch (err) {
    if (!closed) closeSync(fd);
    rmSync(tmp, { force: true });
    throw err;
  } finally {
    client.close();
  }
}

/** Makes a rename or a new file in `dir` durable. */
export function fsyncDir(dir: string): void {
  const fd = openSync(dir, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
