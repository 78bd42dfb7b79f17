/**
 * `flotilla get` tables, shaped like kubectl's: NAME and a few columns per kind, NAMESPACE in
 * front with `-A`, EVENT in front with `--watch`. Pure functions of objects and a time.
 */
import type { KubeObject } from "../../../libs/client/index.js";
import { kindInfoOf } from "./api-client.js";

/** What decides the columns. */
export interface TableShape {
  readonly kind: string;
  readonly allNamespaces: boolean;
  readonly watch: boolean;
}

type Row = readonly string[];

function kindColumns(kind: string): { header: Row; cells: (o: KubeObject, nowMs: number) => Row } {
  const k = kindInfoOf(kind)?.kind ?? kind;
  switch (k) {
    case "Pod":
      return {
        header: ["READY", "STATUS", "NODE", "AGE"],
        cells: (o, now) => {
          const statuses = arr(rec(o["status"])["containerStatuses"]);
          const total = arr(rec(o["spec"])["containers"]).length;
          const ready = statuses.filter((s) => rec(s)["ready"] === true).length;
          return [
            `${ready}/${total}`,
            str(rec(o["status"])["phase"]) || "Pending",
            str(rec(o["spec"])["nodeName"]) || "<none>",
            age(o, now),
          ];
        },
      };
    case "Node":
      return {
        header: ["STATUS", "AGE"],
        cells: (o, now) => {
          const ready = arr(rec(o["status"])["conditions"]).find((c) => rec(c)["type"] === "Ready");
          return [ready !== undefined && rec(ready)["status"] === "True" ? "Ready" : "NotReady", age(o, now)];
        },
      };
    case "Deployment":
      return {
        header: ["READY", "UP-TO-DATE", "AVAILABLE", "AGE"],
        cells: (o, now) => {
          const s = rec(o["status"]);
          const want = num(rec(o["spec"])["replicas"]);
          return [
            `${num(s["readyReplicas"])}/${want}`,
            String(num(s["updatedReplicas"])),
            String(num(s["availableReplicas"])),
            age(o, now),
          ];
        },
      };
    default:
      return { header: ["AGE"], cells: (o, now) => [age(o, now)] };
  }
}

/** The header row for `shape`. */
export function tableHeader(shape: TableShape): string[] {
  return [
    ...(shape.watch ? ["EVENT"] : []),
    ...(shape.allNamespaces ? ["NAMESPACE"] : []),
    "NAME",
    ...kindColumns(shape.kind).header,
  ];
}

/** One object's row; `event` fills the EVENT column in watch mode. */
export function tableRow(shape: TableShape, obj: KubeObject, nowMs: number, event = "ADDED"): string[] {
  return [
    ...(shape.watch ? [event] : []),
    ...(shape.allNamespaces ? [obj.metadata.namespace ?? ""] : []),
    obj.metadata.name ?? "",
    ...kindColumns(shape.kind).cells(obj, nowMs),
  ];
}

/** Cells padded to `widths` (wider cells push the rest right), two spaces apart. */
export function padRow(cells: readonly string[], widths: readonly number[]): string {
  return cells
    .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
    .join("  ")
    .trimEnd();
}

/** The widest cell of each column. */
export function columnWidths(rows: readonly Row[]): number[] {
  const widths: number[] = [];
  for (const r of rows) {
    r.forEach((c, i) => {
      widths[i] = Math.max(widths[i] ?? 0, c.length);
    });
  }
  return widths;
}

/** kubectl's short ages: "45s", "3m20s", "17m", "5h", "3d". */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return `${m}m${s % 60 ? `${s % 60}s` : ""}`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h`;
  return `${Math.floor(h / 24)}d`;
}

function age(o: KubeObject, nowMs: number): string {
  const t = Date.parse(str(o.metadata["creationTimestamp"]));
  return Number.isNaN(t) ? "<unknown>" : formatAge(nowMs - t);
}

function rec(v: unknown): Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

function str(v: unknown): string {
  return typeof v === "string" ? v : "";
}

function num(v: unknown): number {
  return typeof v === "number" ? v : 0;
}
