import type { Schemas } from "../../api/client";
import type { Check } from "../../../../src/core/check";
import type { ReleaseEventBody } from "../../../../src/core/events";
import { parsePlan, type Plan } from "../../../../src/core/plan";
import type { Sli } from "../../../../src/core/sli";
import { formatSliValue } from "../../../../src/core/check";

export type ReleaseDetail = Schemas["ReleaseDetail"];
export type StageView = ReleaseDetail["stages"][number];
export type SeriesPoint = ReleaseDetail["series"]["stable"][number];

/** A check as the API sends it: the engine's Check with its times as ISO text. */
export type CheckView = Omit<Check, "at" | "window"> & { at: string; window: { from: string; to: string } };
export type SloResultView = CheckView["results"][number];

type WithCheckView<Body> = Body extends { check: Check }
  ? Omit<Body, "check"> & { check: CheckView }
  : Body extends { check?: Check }
    ? Omit<Body, "check"> & { check?: CheckView }
    : Body;

/** A timeline event as the API sends it. */
export type EventView = WithCheckView<ReleaseEventBody> & { id: number; releaseId: string; at: string; actor: string };

/** The detail's loosely typed parts, read as the engine's types (the server builds them from those). */
export function checksOf(release: ReleaseDetail): CheckView[] {
  return release.checks as unknown as CheckView[];
}

export function eventsOf(release: ReleaseDetail): EventView[] {
  return release.events as unknown as EventView[];
}

/** The plan the release runs, from its snapshot; null only if the snapshot no longer parses. */
export function planOf(release: ReleaseDetail): Plan | null {
  const plan = parsePlan(release.planSnapshot);
  return plan instanceof Error ? null : plan;
}

export function isTerminalState(state: ReleaseDetail["state"]): boolean {
  return state === "succeeded" || state === "rolled_back" || state === "cancelled" || state === "failed";
}

/** "stage 2 (25%)", counted from 1 as people count. */
export function stageName(index: number, percent: number | undefined): string {
  return percent === undefined ? `stage ${index + 1}` : `stage ${index + 1} (${percent}%)`;
}

export function stagePercent(release: ReleaseDetail, index: number): number | undefined {
  return release.stages[index]?.percent;
}

const SLI_NAMES: Record<Sli, string> = {
  error_rate: "error rate",
  latency_p50: "p50 latency",
  latency_p90: "p90 latency",
  latency_p99: "p99 latency",
  latency_p999: "p99.9 latency",
};

export function sliName(sli: Sli): string {
  return SLI_NAMES[sli];
}

/** An SLI's value in its unit: error rates as percents, latencies in milliseconds. */
export function formatSli(sli: Sli, value: number | null | undefined): string {
  if (value === null || value === undefined) return "n/a";
  return sli === "error_rate" ? `${formatSliValue(value * 100)}%` : `${formatSliValue(value)} ms`;
}

const count = new Intl.NumberFormat();

export function formatCount(value: number): string {
  return count.format(Math.round(value));
}
