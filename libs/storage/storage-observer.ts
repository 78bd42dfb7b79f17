/**
 * Optional hooks through which a master's metrics see the disk: how long each fdatasync of
 * the WAL and of snapshot files takes, and how many bytes the WAL writes. Storage works the
 * same with or without them; a hook that throws is ignored, never a storage failure.
 */
import type { StorageFile } from "./fs.js";

/** Called synchronously after the operation; each hook must be cheap. */
export interface StorageObserver {
  /** A WAL fdatasync (a save, or closing a full segment) took this many seconds. */
  walFsync?(durationSeconds: number): void;
  /** A WAL record of this many bytes was written (before any fsync). */
  walWrite?(bytes: number): void;
  /** A snapshot file's fdatasync took this many seconds. */
  snapshotFsync?(durationSeconds: number): void;
}

/** fdatasync of `file`, reporting its duration to `report` (if any) once it succeeded. */
export async function timedDatasync(
  file: StorageFile,
  report: ((durationSeconds: number) => void) | undefined,
): Promise<void> {
  if (report === undefined) return file.datasync();
  const startedMs = performance.now();
  await file.datasync();
  notify(() => report((performance.now() - startedMs) / 1000));
}

/** Runs a hook; a throwing hook must not turn into a storage failure (the WAL would stop). */
export function notify(hook: () => void): void {
  try {
    hook();
  } catch {
    // Metrics are best effort: losing one sample is better than failing a write.
  }
}
