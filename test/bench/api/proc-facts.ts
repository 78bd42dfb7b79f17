/** Per-process memory and the machine's load average, for the API benchmark's report. */
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";

/** Resident set size of a process in MiB (Linux /proc), or NaN if it is gone. */
export function rssMiB(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** "1.23 0.98 0.75" (1, 5 and 15 minutes). */
export function loadAverage(): string {
  return loadavg()
    .map((x) => x.toFixed(2))
    .join(" ");
}
