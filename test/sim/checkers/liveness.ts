import type { Index } from "../../../libs/raft/index.js";
import type { Checker, ViolationSink } from "./checker.js";
import type { ClusterView, SimEvent } from "./events.js";

/** Client payloads the liveness phase proposes start with this. */
export const LIVENESS_PREFIX = "live:";

/**
 * Liveness after healing: once the network is healed and every crashed member restarted, a
 * leader is elected, a proposal made after the heal commits, and every member of the final
 * configuration applies it, all within `boundSteps`.
 */
export class Liveness implements Checker {
  readonly name = "liveness";
  private healStep: number | undefined;
  private leaderStep: number | undefined;
  private commitIndex: Index | undefined;
  private doneStep: number | undefined;
  private reported = false;

  constructor(
    private readonly sink: ViolationSink,
    readonly boundSteps: number,
  ) {}

  /** The network is healed and crashed members restarted at this step. */
  begin(step: number): void {
    this.healStep = step;
  }

  get started(): boolean {
    return this.healStep !== undefined;
  }

  get done(): boolean {
    return this.doneStep !== undefined;
  }

  /** Steps from the heal to a leader, to a commit applied everywhere. */
  get stepsToLeader(): number | undefined {
    return this.healStep === undefined || this.leaderStep === undefined
      ? undefined
      : this.leaderStep - this.healStep;
  }

  get stepsToDone(): number | undefined {
    return this.healStep === undefined || this.doneStep === undefined
      ? undefined
      : this.doneStep - this.healStep;
  }

  observe(e: SimEvent): void {
    if (this.healStep === undefined || this.commitIndex !== undefined) return;
    if (e.kind === "ack" && e.payload.startsWith(LIVENESS_PREFIX)) this.commitIndex = e.index;
  }

  checkView(view: ClusterView): void {
    if (this.healStep === undefined || this.done) return;
    if (this.leaderStep === undefined && view.nodes.some((n) => n.role === "leader" && n.isMember)) {
      this.leaderStep = view.step;
    }
    const ci = this.commitIndex;
    const members = view.nodes.filter((n) => n.isMember);
    if (ci !== undefined && members.length > 0 && members.every((n) => n.applied >= ci))
      this.doneStep = view.step;
    if (!this.done && view.step - this.healStep > this.boundSteps && !this.reported) {
      this.reported = true;
      const stage =
        this.leaderStep === undefined
          ? "no leader was elected"
          : ci === undefined
            ? "a leader was elected but no proposal committed"
            : `entry ${ci} committed but not every member applied it`;
      const state = view.nodes
        .map((n) => `n${n.id}:${n.role}/t${n.term}/c${n.commit}/a${n.applied}`)
        .join(" ");
      this.sink.report(
        this.name,
        view.step,
        `${stage} within ${this.boundSteps} steps of healing [${state}]`,
      );
    }
  }
}
