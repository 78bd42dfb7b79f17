import type { ClusterView, SimEvent } from "./events.js";

export interface Violation {
  readonly checker: string;
  readonly step: number;
  readonly message: string;
}

/** Where checkers report broken properties. The driver stops a run at the first one. */
export class ViolationSink {
  private readonly list: Violation[] = [];

  report(checker: string, step: number, message: string): void {
    if (this.list.length < 100) this.list.push({ checker, step, message });
  }

  get violations(): readonly Violation[] {
    return this.list;
  }

  get ok(): boolean {
    return this.list.length === 0;
  }
}

/**
 * One safety or liveness property. A checker reads events as they happen, the cluster view
 * after each step, and the final view once the run has healed and settled. Each hook is
 * optional: a checker uses what its property needs.
 */
export interface Checker {
  readonly name: string;
  observe?(e: SimEvent): void;
  checkView?(view: ClusterView): void;
  finish?(view: ClusterView): void;
}
