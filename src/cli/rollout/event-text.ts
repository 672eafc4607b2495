import pc from "picocolors";
import { formatEValue, formatSliValue, type Check } from "../../core/check.js";
import { formatDuration } from "../../core/duration.js";
import type { ReleaseEventDraft } from "../../core/events.js";
import type { Release } from "../../core/release.js";
import { sliValue, type SliSample } from "../../core/sli.js";
import { formatSplit } from "../../core/split.js";

/** One line telling what an event means, or undefined for events too small to mention. */
export function describeEvent(release: Release, event: ReleaseEventDraft): string | undefined {
  const stages = release.plan.stages.length;
  switch (event.type) {
    case "preflight_completed": {
      const results = event.results.map(({ url, status, error, durationMs }) => `${url} ${status ?? error} in ${durationMs}ms`);
      const verdict = event.passed ? pc.green("preflight passed") : pc.red("preflight FAILED");
      return `${verdict}: ${results.join(", ")}`;
    }
    case "start_requested":
      return `start requested by ${event.actor}`;
    case "release_started":
      return `release ${release.name}: ${event.stable} -> ${event.candidate} with plan ${event.plan}`;
    case "stage_started": {
      const soak = release.plan.stages[event.stageIndex]?.soakSeconds ?? 0;
      const soakText = soak > 0 ? `, soak ${formatDuration(soak)}` : "";
      return `stage ${event.stageIndex + 1}/${stages}: ${event.percent}% to ${release.candidate}${soakText}`;
    }
    case "split_applied":
      return `split applied: ${formatSplit(event.split)}`;
    case "check_completed":
      return describeCheck(release, event.check);
    case "metrics_unavailable":
      return pc.yellow(`metrics unavailable (${event.error}); ${event.action === "hold" ? "holding the soak clock" : "rolling back"}`);
    case "awaiting_approval":
      return pc.yellow(`stage ${event.stageIndex + 1}/${stages} passed its soak; waiting for approval`);
    case "approved":
      return `approved by ${event.actor}`;
    case "paused":
      return pc.yellow(`paused: ${event.reason}`);
    case "resumed":
      return `resumed by ${event.actor}`;
    case "drift_detected":
      return pc.yellow(`drift: expected ${formatSplit(event.expected)}, found ${formatSplit(event.actual)}`);
    case "promoted":
      return pc.green(`promoted: ${release.candidate} serves 100% (${event.reason})`);
    case "rolled_back":
      return pc.red(`rolled back to ${release.stable}: ${event.reason}`);
    case "cancelled":
      return pc.yellow(`cancelled: ${event.reason}; ${release.stable} serves 100%`);
    case "failed":
      return pc.red(`failed: ${event.reason}`);
  }
}

export function describeCheck(release: Release, check: Check): string {
  const verdict =
    check.verdict === "pass" ? pc.green("pass") : check.verdict === "fail" ? pc.red("FAIL") : pc.dim("no verdict");
  const sides = [
    describeSample(release.stable, check.samples.stable),
    describeSample(release.candidate, check.samples.candidate),
  ].join(" | ");
  const why = check.verdict === "insufficient_data" && check.note ? ` (${check.note})` : "";
  const evidence = check.results
    .filter((result) => result.evidence)
    .map(({ slo, evidence }) => ` ${slo.sli} evidence ${formatEValue(evidence!.eValue)}/${formatEValue(evidence!.threshold)}`)
    .join(",");
  const failing = check.results
    .filter((result) => result.verdict === "fail")
    .map((result) => `${result.rule} (${formatSliValue(result.candidate)})`);
  return `check ${verdict}: ${sides}${evidence}${why}${failing.length ? ` failing ${failing.join(", ")}` : ""}`;
}

function describeSample(version: string, sample: SliSample | null): string {
  if (!sample) return `${version} no traffic`;
  const errorRate = sliValue(sample, "error_rate");
  const p99 = sample.latencyMs.p99;
  return (
    `${version} ${sample.requests} req, ${errorRate === undefined ? "n/a" : `${(errorRate * 100).toFixed(2)}%`} errors, ` +
    `p99 ${p99 === undefined ? "n/a" : `${formatSliValue(p99)}ms`}`
  );
}
