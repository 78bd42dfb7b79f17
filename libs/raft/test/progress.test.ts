import { describe, expect, it } from "vitest";
import { Progress, type ProgressState } from "../progress.js";

function progress(state: ProgressState, match: number, next: number, inflightsMax = 256): Progress {
  const pr = new Progress(next, inflightsMax, 0, false);
  pr.match = match;
  if (state === "replicate") pr.becomeReplicate();
  if (state === "snapshot") pr.becomeSnapshot(next);
  pr.next = next;
  return pr;
}

describe("Progress state transitions (thesis §3.5, etcd tracker/progress.go)", () => {
  it("becomeProbe from replicate restarts right after the match and forgets the inflight window", () => {
    const pr = progress("replicate", 5, 5);
    pr.sentEntries(9, 10);
    expect(pr.inflights.count).toBe(1);
    pr.becomeProbe();
    expect(pr).toMatchObject({ state: "probe", next: 6, probeSent: false });
    expect(pr.inflights.count).toBe(0);
  });

  it.each([
    { match: 1, pending: 10, next: 11 },
    { match: 12, pending: 10, next: 13 },
    { match: 3, pending: 0, next: 4 },
  ])(
    "becomeProbe from snapshot (match $match, pending $pending) resumes at $next",
    ({ match, pending, next }) => {
      const pr = progress("probe", match, match + 1);
      pr.becomeSnapshot(pending);
      expect(pr.isPaused()).toBe(true);
      pr.becomeProbe();
      expect(pr).toMatchObject({ state: "probe", next, pendingSnapshot: 0 });
    },
  );

  it("becomeReplicate sends from right after the match", () => {
    const pr = progress("probe", 1, 5);
    pr.becomeReplicate();
    expect(pr).toMatchObject({ state: "replicate", next: 2 });
  });

  it("becomeSnapshot pauses until the snapshot is reported", () => {
    const pr = progress("replicate", 1, 5);
    pr.becomeSnapshot(20);
    expect(pr).toMatchObject({ state: "snapshot", pendingSnapshot: 20 });
    expect(pr.isPaused()).toBe(true);
  });

  it.each([
    { n: 4, updated: false, match: 5, next: 7 },
    { n: 5, updated: false, match: 5, next: 7 },
    { n: 6, updated: true, match: 6, next: 7 },
    { n: 7, updated: true, match: 7, next: 8 },
  ])("maybeUpdate($n) on match 5 / next 7: updated=$updated", ({ n, updated, match, next }) => {
    const pr = progress("probe", 5, 7);
    expect(pr.maybeUpdate(n)).toBe(updated);
    expect(pr).toMatchObject({ match, next });
  });

  it("an acknowledgement un-pauses a probe", () => {
    const pr = progress("probe", 0, 1);
    pr.sentEntries(3, 10);
    expect(pr.isPaused()).toBe(true);
    pr.maybeUpdate(3);
    expect(pr.isPaused()).toBe(false);
  });

  it("sentEntries in replicate moves next optimistically and records the message in flight", () => {
    const pr = progress("replicate", 2, 3);
    pr.sentEntries(5, 100);
    pr.sentEntries(8, 100);
    expect(pr.next).toBe(9);
    expect(pr.inflights.count).toBe(2);
  });

  // etcd TestProgressMaybeDecr.
  it.each([
    // replicate: a rejection at or below match is stale
    { state: "replicate", match: 5, next: 10, rejected: 5, hint: 5, ok: false, want: 10 },
    { state: "replicate", match: 5, next: 10, rejected: 4, hint: 4, ok: false, want: 10 },
    // replicate: a real rejection falls back to match + 1
    { state: "replicate", match: 5, next: 10, rejected: 9, hint: 9, ok: true, want: 6 },
    // probe: only a rejection of the probe just sent (next - 1) counts
    { state: "probe", match: 0, next: 0, rejected: 0, hint: 0, ok: false, want: 0 },
    { state: "probe", match: 0, next: 10, rejected: 5, hint: 5, ok: false, want: 10 },
    { state: "probe", match: 0, next: 10, rejected: 9, hint: 9, ok: true, want: 9 },
    { state: "probe", match: 0, next: 2, rejected: 1, hint: 1, ok: true, want: 1 },
    { state: "probe", match: 0, next: 1, rejected: 0, hint: 0, ok: true, want: 1 },
    // probe: the hint skips ahead, but never below match + 1
    { state: "probe", match: 0, next: 10, rejected: 9, hint: 2, ok: true, want: 3 },
    { state: "probe", match: 0, next: 10, rejected: 9, hint: 0, ok: true, want: 1 },
    { state: "probe", match: 4, next: 10, rejected: 9, hint: 1, ok: true, want: 5 },
  ] as const)(
    "maybeDecrTo($rejected, hint $hint) in $state (match $match, next $next) → $ok, next $want",
    ({ state, match, next, rejected, hint, ok, want }) => {
      const pr = progress(state, match, next);
      expect(pr.maybeDecrTo(rejected, hint)).toBe(ok);
      expect(pr.next).toBe(want);
    },
  );

  it("a rejection un-pauses a probe so the retry can go out", () => {
    const pr = progress("probe", 0, 10);
    pr.sentEntries(12, 10);
    expect(pr.isPaused()).toBe(true);
    pr.maybeDecrTo(9, 3);
    expect(pr.isPaused()).toBe(false);
  });

  it.each([
    { state: "probe", probeSent: false, fill: 0, paused: false },
    { state: "probe", probeSent: true, fill: 0, paused: true },
    { state: "replicate", probeSent: false, fill: 1, paused: false },
    { state: "replicate", probeSent: false, fill: 2, paused: true },
    { state: "replicate", probeSent: true, fill: 0, paused: false },
    { state: "snapshot", probeSent: false, fill: 0, paused: true },
  ] as const)("isPaused in $state (probeSent $probeSent, $fill inflight of 2) is $paused", (tc) => {
    const pr = progress(tc.state, 0, 1, 2);
    pr.probeSent = tc.probeSent;
    for (let i = 0; i < tc.fill; i++) pr.sentEntries(pr.next, 1);
    expect(pr.isPaused()).toBe(tc.paused);
  });
});
