import type { Check } from "../../core/check.js";
import type { ReleaseEvent } from "../../core/events.js";
import { parsePlan } from "../../core/plan.js";
import type { Release } from "../../core/release.js";
import type { Schemas } from "./api-client.js";

export type ReleaseDetail = Schemas["ReleaseDetail"];

/**
 * The release as the engine's own type, rebuilt from the API's detail, so the reporters of
 * `glidepath rollout` can show a release a server drives. Only what they read is filled in.
 */
export function releaseFromDetail(detail: ReleaseDetail): Release {
  const plan = parsePlan(detail.planSnapshot);
  if (plan instanceof Error) throw new Error(`the server sent a plan this CLI cannot read: ${plan.message}`);
  const checks = checksFromDetail(detail);
  const lastCheck = checks.at(-1);
  return {
    id: detail.id,
    name: detail.name,
    target: { platform: "", config: {} },
    stable: detail.stable,
    candidate: detail.candidate,
    plan,
    state: detail.state,
    stageIndex: detail.stage?.index ?? -1,
    stageStartedAt: null,
    soakServedSeconds: detail.soakServedSeconds,
    soakAwaitsPass: false,
    lastCheckAt: lastCheck?.at ?? null,
    lastVerdict: lastCheck?.verdict ?? null,
    consecutiveFailures: detail.consecutiveFailures,
    evidence: [],
    pausedFrom: null,
    nextRunAt: time(detail.nextRunAt),
    reason: detail.reason,
    appliedSplit: detail.split,
    createdAt: time(detail.createdAt)!,
    updatedAt: time(detail.updatedAt)!,
    finishedAt: time(detail.finishedAt),
  };
}

/** An event as the API shows it (ISO times) back as the engine's event (epoch milliseconds). */
export function eventFromView(view: Record<string, unknown>): ReleaseEvent {
  const event = { ...view, at: time(view.at as string)! } as Record<string, unknown>;
  if (isRecord(view.check)) event.check = checkFromView(view.check);
  return event as unknown as ReleaseEvent;
}

export function eventsFromDetail(detail: ReleaseDetail): ReleaseEvent[] {
  return detail.events.map(eventFromView);
}

export function checksFromDetail(detail: ReleaseDetail): Check[] {
  return detail.checks.map(checkFromView);
}

function checkFromView(view: Record<string, unknown>): Check {
  const window = view.window as { from: string; to: string };
  return { ...view, at: time(view.at as string)!, window: { from: time(window.from)!, to: time(window.to)! } } as unknown as Check;
}

function time(iso: string | null): number | null {
  return iso === null ? null : Date.parse(iso);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}
