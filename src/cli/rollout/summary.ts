import type { Check, SloResult } from "../../core/check.js";
import type { ReleaseEvent } from "../../core/events.js";
import type { Release, ReleaseState } from "../../core/release.js";
import type { Split } from "../../core/split.js";
import { ExitCode } from "../exit-codes.js";

export type StageOutcome = "passed" | "failed" | "cancelled" | "in_progress" | "skipped" | "not_reached";

export interface StageSummary {
  percent: number;
  soakSeconds: number;
  progression: "auto" | "manual";
  outcome: StageOutcome;
  checks: number;
}

/** What `glidepath rollout --json` prints last: the outcome of the release in one object. */
export interface RolloutSummary {
  type: "summary";
  releaseId: string;
  name: string;
  stable: string;
  candidate: string;
  plan: string;
  state: ReleaseState;
  reason: string | null;
  finalSplit: Split;
  stages: StageSummary[];
  /** The SLOs that failed the last check before a rollback, with the values measured. */
  failedSlos: SloResult[];
  startedAt: string;
  finishedAt: string | null;
}

export function summarize(release: Release, events: ReleaseEvent[], checks: Check[], finalSplit: Split): RolloutSummary {
  const rollback = events.findLast((event) => event.type === "rolled_back");
  const failingCheck = rollback?.type === "rolled_back" ? rollback.check : undefined;
  return {
    type: "summary",
    releaseId: release.id,
    name: release.name,
    stable: release.stable,
    candidate: release.candidate,
    plan: release.plan.name,
    state: release.state,
    reason: release.reason,
    finalSplit,
    stages: release.plan.stages.map((stage, index) => ({
      ...stage,
      outcome: stageOutcome(release, index),
      checks: checks.filter((check) => check.stageIndex === index).length,
    })),
    failedSlos: failingCheck?.results.filter((result) => result.verdict === "fail") ?? [],
    startedAt: new Date(release.createdAt).toISOString(),
    finishedAt: release.finishedAt === null ? null : new Date(release.finishedAt).toISOString(),
  };
}

function stageOutcome(release: Release, index: number): StageOutcome {
  if (index < release.stageIndex) return "passed";
  if (index > release.stageIndex) return release.state === "succeeded" ? "skipped" : "not_reached";
  switch (release.state) {
    case "succeeded":
      return "passed";
    case "rolled_back":
    case "failed":
      return "failed";
    case "cancelled":
      return "cancelled";
    default:
      return "in_progress";
  }
}

export function exitCodeFor(state: ReleaseState): number {
  switch (state) {
    case "succeeded":
      return ExitCode.promoted;
    case "rolled_back":
      return ExitCode.rolledBack;
    case "cancelled":
      return ExitCode.cancelled;
    default:
      return ExitCode.internalError;
  }
}
