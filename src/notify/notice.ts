import { describeFailures, type Check } from "../core/check.js";
import { formatDuration } from "../core/duration.js";
import { ENGINE_ACTOR, type ReleaseEventDraft } from "../core/events.js";
import type { Release } from "../core/release.js";
import { formatSplit } from "../core/split.js";

/** The events a channel can subscribe to; a server validates subscriptions against this list. */
export const NOTICE_KINDS = [
  "release_created",
  "release_started",
  "stage_progressed",
  "awaiting_approval",
  "rolled_back",
  "succeeded",
  "cancelled",
  "failed",
  "drift_detected",
] as const;
export type NoticeKind = (typeof NOTICE_KINDS)[number];

export type Severity = "info" | "success" | "warning" | "danger";

export interface NoticeField {
  label: string;
  value: string;
}

/** What a channel is told about a release, before any service's format. */
export interface Notice {
  /** "test" only for the message that checks a channel works; no channel subscribes to it. */
  kind: NoticeKind | "test";
  /** One line, e.g. "checkout: v2 rolled back at stage 2 (25%)". */
  title: string;
  text: string;
  fields: NoticeField[];
  severity: Severity;
  /** The release's page, when there is one to link to. */
  url?: string;
  /** When it happened, epoch milliseconds. */
  at: number;
}

export interface NoticeLinks {
  releaseUrl?: string;
}

type NoticeContent = Omit<Notice, "url" | "at">;

/** The event types a notice can come from: every other event (checks, splits applied...) is never told. */
export const NOTIFYING_EVENTS: ReadonlySet<ReleaseEventDraft["type"]> = new Set([
  "release_created",
  "release_started",
  "stage_started",
  "awaiting_approval",
  "rolled_back",
  "promoted",
  "cancelled",
  "failed",
  "drift_detected",
]);

/** The notice a release event calls for, or null for events no channel is told about (checks, splits applied...). */
export function noticeFor(release: Release, event: ReleaseEventDraft, links: NoticeLinks = {}): Notice | null {
  const content = contentFor(release, event);
  if (!content) return null;
  const byPerson = event.actor !== ENGINE_ACTOR ? [{ label: "By", value: event.actor }] : [];
  return {
    ...content,
    fields: [...content.fields, ...byPerson],
    at: event.at,
    ...(links.releaseUrl && { url: links.releaseUrl }),
  };
}

/** The message that proves a channel's settings work, sent when a channel is saved or on request. */
export function testNotice(at: number): Notice {
  return {
    kind: "test",
    title: "Glidepath test notification",
    text: "Glidepath can post to this channel. Releases will post here for the events this channel subscribes to.",
    fields: [],
    severity: "info",
    at,
  };
}

function contentFor(release: Release, event: ReleaseEventDraft): NoticeContent | null {
  if (!NOTIFYING_EVENTS.has(event.type)) return null;
  const { name, stable, candidate, plan } = release;
  const versions = [
    { label: "Stable", value: stable },
    { label: "Candidate", value: candidate },
  ];
  switch (event.type) {
    case "release_created":
      return {
        kind: "release_created",
        title: `${name}: release of ${candidate} created`,
        text: `Plan ${plan.name} will move traffic from ${stable} to ${candidate} in ${plan.stages.length} stages: ${stagePercents(release)}.`,
        fields: [...versions, { label: "Plan", value: plan.name }],
        severity: "info",
      };
    case "release_started": {
      const adopted = event.adoptedSplit ? ` It took over the live split ${formatSplit(event.adoptedSplit)}.` : "";
      return {
        kind: "release_started",
        title: `${name}: rolling out ${candidate}`,
        text: `${candidate} replaces ${stable} in ${plan.stages.length} stages (${stagePercents(release)}) under plan ${plan.name}.${adopted}`,
        fields: [...versions, { label: "Plan", value: plan.name }],
        severity: "info",
      };
    }
    case "stage_started": {
      // The first stage is announced by release_started.
      if (event.stageIndex === 0) return null;
      const soakSeconds = plan.stages[event.stageIndex]?.soakSeconds ?? 0;
      const soak = soakSeconds > 0 ? `; it soaks for ${formatDuration(soakSeconds)} while its SLOs are checked` : "";
      return {
        kind: "stage_progressed",
        title: `${name}: ${candidate} at stage ${stageText(release, event.stageIndex)}`,
        text: `${event.percent}% of traffic goes to ${candidate}${soak}.`,
        fields: [...versions, { label: "Stage", value: stageText(release, event.stageIndex) }, { label: "Split", value: formatSplit(event.split) }],
        severity: "info",
      };
    }
    case "awaiting_approval": {
      const next = plan.stages[event.stageIndex + 1];
      const approve = next ? `Approve to send ${next.percent}% to ${candidate}` : `Approve to promote ${candidate} to 100%`;
      return {
        kind: "awaiting_approval",
        title: `${name}: ${candidate} awaits approval at stage ${stageText(release, event.stageIndex)}`,
        text: `Stage ${event.stageIndex + 1} passed its soak and checks. ${approve}, or deny to cancel the release.`,
        fields: [...versions, { label: "Stage", value: stageText(release, event.stageIndex) }],
        severity: "warning",
      };
    }
    case "rolled_back":
      return {
        kind: "rolled_back",
        title: `${name}: ${candidate} rolled back ${whereStopped(release)}`,
        text: `${stable} serves 100% again. Reason: ${event.reason}`,
        fields: [...versions, ...stageField(release), ...failingSloField(event.check, release)],
        severity: "danger",
      };
    case "promoted":
      return {
        kind: "succeeded",
        title: `${name}: ${candidate} promoted`,
        text: `${candidate} serves 100% of traffic: ${event.reason}.`,
        fields: versions,
        severity: "success",
      };
    case "cancelled":
      return {
        kind: "cancelled",
        title: `${name}: release of ${candidate} cancelled ${whereStopped(release)}`,
        text: `${stable} serves 100% again. Reason: ${event.reason}`,
        fields: [...versions, ...stageField(release)],
        severity: "warning",
      };
    case "failed":
      return {
        kind: "failed",
        title: `${name}: release of ${candidate} failed ${whereStopped(release)}`,
        text: `Glidepath could not finish the release: ${event.reason}`,
        fields: [...versions, ...stageField(release)],
        severity: "danger",
      };
    case "drift_detected":
      return {
        kind: "drift_detected",
        title: `${name}: split changed outside Glidepath; release paused`,
        text:
          `Expected ${formatSplit(event.expected)}, found ${formatSplit(event.actual)}. ` +
          "Put the split back, or resume the release to re-apply Glidepath's split.",
        fields: [
          ...versions,
          ...stageField(release),
          { label: "Expected split", value: formatSplit(event.expected) },
          { label: "Found split", value: formatSplit(event.actual) },
        ],
        severity: "warning",
      };
    default:
      return null;
  }
}

function stagePercents(release: Release): string {
  return release.plan.stages.map((stage) => `${stage.percent}%`).join(" → ");
}

/** "2/4 (25%)" */
function stageText(release: Release, stageIndex: number): string {
  const percent = release.plan.stages[stageIndex]?.percent ?? 0;
  return `${stageIndex + 1}/${release.plan.stages.length} (${percent}%)`;
}

function stageField(release: Release): NoticeField[] {
  return release.stageIndex < 0 ? [] : [{ label: "Stage", value: stageText(release, release.stageIndex) }];
}

/** "at stage 2 (25%)", or "before any traffic moved" for a release stopped during preflight. */
function whereStopped(release: Release): string {
  const stage = release.plan.stages[release.stageIndex];
  return stage ? `at stage ${release.stageIndex + 1} (${stage.percent}%)` : "before any traffic moved";
}

/** One line per failing SLO with both versions' numbers, e.g. "error_rate <= 0.01: v2 0.152 (v1 0.001)". */
function failingSloField(check: Check | undefined, release: Release): NoticeField[] {
  const failing = check?.results.filter((result) => result.verdict === "fail") ?? [];
  if (!check || failing.length === 0) return [];
  const lines = failing.map((result) => describeFailures({ ...check, results: [result] }, release.stable, release.candidate));
  return [{ label: failing.length === 1 ? "Failing SLO" : "Failing SLOs", value: lines.join("\n") }];
}
