import type { Check } from "./check.js";
import type { Split } from "./split.js";

/** Something that happened to a release: the timeline, the audit log and live updates all read these. */
/** What one preflight probe of the candidate found. */
export interface ProbeResult {
  url: string;
  expectStatus: number;
  /** The status the candidate answered with; null when it did not answer. */
  status: number | null;
  error: string | null;
  durationMs: number;
}

export type ReleaseEventBody =
  /** Recorded with the release: who asked for it. */
  | { type: "release_created"; stable: string; candidate: string; plan: string }
  /** A person asked a pending release to start; its actor says who. */
  | { type: "start_requested" }
  | { type: "preflight_completed"; passed: boolean; results: ProbeResult[] }
  /** `adoptedSplit`: the split already live that the release took over. */
  | { type: "release_started"; stable: string; candidate: string; plan: string; adoptedSplit?: Split }
  | { type: "stage_started"; stageIndex: number; percent: number; split: Split }
  | { type: "check_completed"; check: Check }
  | { type: "metrics_unavailable"; error: string; action: "hold" | "rollback" }
  | { type: "awaiting_approval"; stageIndex: number }
  | { type: "approved"; stageIndex: number }
  | { type: "paused"; reason: string }
  | { type: "resumed" }
  | { type: "drift_detected"; expected: Split; actual: Split }
  | { type: "split_applied"; split: Split; note: string }
  | { type: "promoted"; reason: string }
  | { type: "rolled_back"; reason: string; check?: Check }
  | { type: "cancelled"; reason: string }
  | { type: "failed"; reason: string };

export type ReleaseEventType = ReleaseEventBody["type"];

export type ReleaseEventDraft = ReleaseEventBody & {
  at: number;
  /** Who caused it: "glidepath" for the engine, otherwise the person or token. */
  actor: string;
};

export type ReleaseEvent = ReleaseEventDraft & { id: number; releaseId: string };

export const ENGINE_ACTOR = "glidepath";
