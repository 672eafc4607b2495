import { atStageStart, initialSequentialState, type SequentialState } from "./analysis/sequential.js";
import { isSequential, type Plan } from "./plan.js";
import { splitAt, type Split } from "./split.js";
import type { Verdict } from "./check.js";

export const RELEASE_STATES = [
  "pending",
  "running",
  "awaiting_approval",
  "paused",
  "succeeded",
  "rolled_back",
  "cancelled",
  "failed",
] as const;
export type ReleaseState = (typeof RELEASE_STATES)[number];

export const TERMINAL_STATES: readonly ReleaseState[] = ["succeeded", "rolled_back", "cancelled", "failed"];

/** Where a release's traffic is split: the platform and its settings (never secrets). */
export interface TargetRef {
  platform: string;
  config: Record<string, string>;
}

/** One run of a plan for (target, stable, candidate). Times are epoch milliseconds. */
export interface Release {
  id: string;
  name: string;
  target: TargetRef;
  stable: string;
  candidate: string;
  plan: Plan;
  state: ReleaseState;
  /** The current stage; -1 before the release starts. */
  stageIndex: number;
  stageStartedAt: number | null;
  /** Soak time served at the current stage: only time watched by checks with metrics at hand counts. */
  soakServedSeconds: number;
  /**
   * Set when a driver took the release over from one that stopped (a restart, another replica):
   * no soak is credited again until one of its own checks has passed.
   */
  soakAwaitsPass: boolean;
  lastCheckAt: number | null;
  lastVerdict: Verdict | null;
  consecutiveFailures: number;
  /** One per plan SLO: what its sequential test carries from check to check, or null for an SLO without one. */
  evidence: (SequentialState | null)[];
  /** The state a paused release returns to when resumed. */
  pausedFrom: "running" | "awaiting_approval" | null;
  /**
   * When the engine must next wake this release; null when only a person can move it. A release
   * that has ended stays due until the engine has confirmed its final split on the platform.
   */
  nextRunAt: number | null;
  /** Why the release ended or paused, in words a user can act on. */
  reason: string | null;
  /** The split Glidepath last confirmed on the platform: the engine's record, untouched by step(). */
  appliedSplit: Split | null;
  createdAt: number;
  updatedAt: number;
  finishedAt: number | null;
}

export function isTerminal(state: ReleaseState): boolean {
  return TERMINAL_STATES.includes(state);
}

/** Ended, with its final split confirmed on the platform: nothing more for the engine to do. */
export function isSettled(release: Release): boolean {
  return isTerminal(release.state) && release.nextRunAt === null;
}

export function currentStage(release: Release) {
  return release.plan.stages[release.stageIndex];
}

/** The candidate's share of traffic that the release's state asks for. */
export function desiredCandidatePercent(release: Release): number {
  switch (release.state) {
    case "pending":
    case "rolled_back":
    case "cancelled":
    case "failed":
      return 0;
    case "succeeded":
      return 100;
    case "running":
    case "awaiting_approval":
    case "paused":
      return currentStage(release)?.percent ?? 0;
  }
}

/** The split the release's state asks for. Before it starts, traffic stays as the release found it. */
export function desiredSplit(release: Release): Split {
  if (release.state === "pending" && release.appliedSplit) return release.appliedSplit;
  return splitAt(release.stable, release.candidate, desiredCandidatePercent(release));
}

/** The message that goes with every split Glidepath writes, naming the release and stage. */
export function splitNote(release: Release): string {
  const stages = release.plan.stages.length;
  const where = isTerminal(release.state)
    ? release.state.replace("_", " ")
    : release.stageIndex < 0
      ? "preflight, no traffic yet"
      : `stage ${release.stageIndex + 1}/${stages} (${desiredCandidatePercent(release)}%)`;
  return `glidepath release "${release.name}" ${release.stable} -> ${release.candidate}: ${where}`;
}

export type NewRelease = Pick<Release, "id" | "name" | "target" | "stable" | "candidate" | "plan">;

/** A release waits for a person's start command unless `autoStart` has the engine start it at once. */
export function createRelease(fields: NewRelease, now: number, { autoStart = false } = {}): Release {
  return {
    ...fields,
    state: "pending",
    stageIndex: -1,
    stageStartedAt: null,
    soakServedSeconds: 0,
    soakAwaitsPass: false,
    lastCheckAt: null,
    lastVerdict: null,
    consecutiveFailures: 0,
    evidence: fields.plan.slos.map((slo) => (isSequential(slo) ? initialSequentialState() : null)),
    pausedFrom: null,
    nextRunAt: autoStart ? now : null,
    reason: null,
    appliedSplit: null,
    createdAt: now,
    updatedAt: now,
    finishedAt: null,
  };
}

/** The metrics window the next check covers: the stage so far, or the plan's window if shorter. */
export function checkWindow(release: Release, now: number): { from: number; to: number } {
  const stageStart = release.stageStartedAt ?? now;
  const { windowSeconds } = release.plan.policy;
  return { from: windowSeconds === undefined ? stageStart : Math.max(stageStart, now - windowSeconds * 1000), to: now };
}

/** A new stage counts its requests afresh; what the detectors gathered goes on. */
export function evidenceAtStageStart(evidence: Release["evidence"]): Release["evidence"] {
  return evidence.map((slo) => slo && atStageStart(slo));
}
