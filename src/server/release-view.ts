import { z } from "@hono/zod-openapi";
import type { Check } from "../core/check.js";
import type { ReleaseEvent } from "../core/events.js";
import { planToInput } from "../core/plan.js";
import { desiredSplit, RELEASE_STATES, type Release } from "../core/release.js";
import { sliValue, SLIS, type SliSample } from "../core/sli.js";
import type { TeamRelease } from "../store/team-releases.js";
import { iso, Timestamp } from "./route-kit.js";

const SplitSchema = z.array(z.object({ version: z.string(), percent: z.number() }));

export const ReleaseSummarySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    target: z.string().nullable().openapi({ description: "The target's name." }),
    stable: z.string(),
    candidate: z.string(),
    plan: z.string(),
    state: z.enum(RELEASE_STATES),
    stage: z
      .object({ index: z.number(), count: z.number(), percent: z.number() })
      .nullable()
      .openapi({ description: "The current stage, counted from 0; null before the first." }),
    split: SplitSchema.openapi({ description: "The split the release's state asks for." }),
    reason: z.string().nullable(),
    createdBy: z.string().nullable(),
    ticketUrl: z.string().nullable().openapi({ description: "The change ticket or pull request given when it was created." }),
    createdAt: Timestamp,
    updatedAt: Timestamp,
    finishedAt: Timestamp.nullable(),
    nextRunAt: Timestamp.nullable(),
    url: z.string(),
  })
  .openapi("ReleaseSummary");

const SeriesPoint = z.object({
  at: Timestamp,
  stageIndex: z.number(),
  requests: z.number(),
  errorRate: z.number().nullable(),
  latencyMs: z.record(z.string(), z.number().nullable()),
});

export const ReleaseDetailSchema = ReleaseSummarySchema.extend({
  planSnapshot: z.record(z.string(), z.unknown()).openapi({ description: "The plan as it was when the release was created." }),
  stages: z.array(
    z.object({
      index: z.number(),
      percent: z.number(),
      soakSeconds: z.number(),
      progression: z.enum(["auto", "manual"]),
      status: z.enum(["done", "current", "next"]),
    }),
  ),
  soakServedSeconds: z.number(),
  consecutiveFailures: z.number(),
  checks: z.array(z.record(z.string(), z.unknown())).openapi({ description: "Every check with its numbers per SLO." }),
  events: z.array(z.record(z.string(), z.unknown())).openapi({ description: "The timeline, oldest first." }),
  series: z
    .object({ stable: z.array(SeriesPoint), candidate: z.array(SeriesPoint) })
    .openapi({ description: "The SLIs each check measured, per version, over time." }),
}).openapi("ReleaseDetail");

export function releaseSummary(stored: TeamRelease, targetName: string | null, publicUrl: string): z.infer<typeof ReleaseSummarySchema> {
  const { release } = stored;
  const stage = release.plan.stages[release.stageIndex];
  return {
    id: release.id,
    name: release.name,
    target: targetName,
    stable: release.stable,
    candidate: release.candidate,
    plan: release.plan.name,
    state: release.state,
    stage: stage ? { index: release.stageIndex, count: release.plan.stages.length, percent: stage.percent } : null,
    split: desiredSplit(release),
    reason: release.reason,
    createdBy: stored.createdBy,
    ticketUrl: stored.ticketUrl,
    createdAt: iso(release.createdAt)!,
    updatedAt: iso(release.updatedAt)!,
    finishedAt: iso(release.finishedAt),
    nextRunAt: iso(release.nextRunAt),
    url: `${publicUrl}/releases/${release.id}`,
  };
}

export function releaseDetail(
  stored: TeamRelease,
  targetName: string | null,
  publicUrl: string,
  checks: Check[],
  events: ReleaseEvent[],
): z.infer<typeof ReleaseDetailSchema> {
  const { release } = stored;
  return {
    ...releaseSummary(stored, targetName, publicUrl),
    planSnapshot: planToInput(release.plan) as Record<string, unknown>,
    stages: release.plan.stages.map((stage, index) => ({
      index,
      percent: stage.percent,
      soakSeconds: stage.soakSeconds,
      progression: stage.progression,
      status: stageStatus(release, index),
    })),
    soakServedSeconds: release.soakServedSeconds,
    consecutiveFailures: release.consecutiveFailures,
    checks: checks.map(checkView),
    events: events.map(eventView),
    series: {
      stable: checks.flatMap((check) => seriesPoint(check, check.samples.stable)),
      candidate: checks.flatMap((check) => seriesPoint(check, check.samples.candidate)),
    },
  };
}

function stageStatus(release: Release, index: number): "done" | "current" | "next" {
  if (release.state === "succeeded" || index < release.stageIndex) return "done";
  return index === release.stageIndex ? "current" : "next";
}

function checkView(check: Check): Record<string, unknown> {
  return { ...check, at: iso(check.at), window: { from: iso(check.window.from), to: iso(check.window.to) } };
}

/** An event as the API shows it: timestamps as ISO text, a check inside it likewise. */
export function eventView(event: ReleaseEvent): Record<string, unknown> {
  const view: Record<string, unknown> = { ...event, at: iso(event.at) };
  if ("check" in event && event.check) view.check = checkView(event.check);
  return view;
}

function seriesPoint(check: Check, sample: SliSample | null) {
  if (!sample) return [];
  const latencyMs = Object.fromEntries(SLIS.filter((sli) => sli !== "error_rate").map((sli) => [sli.slice("latency_".length), sliValue(sample, sli) ?? null]));
  return [
    {
      at: iso(check.at)!,
      stageIndex: check.stageIndex,
      requests: sample.requests,
      errorRate: sliValue(sample, "error_rate") ?? null,
      latencyMs,
    },
  ];
}
