import type { ApiCheck, ApiEvent } from "./server-api.js";

/** One log line for a live event, or undefined for events too small to mention. */
export function describeApiEvent(event: ApiEvent): string | undefined {
  switch (event.type) {
    case "release_started":
      return `started: ${String(event.stable)} -> ${String(event.candidate)} with plan ${String(event.plan)}`;
    case "stage_started":
      return `stage ${Number(event.stageIndex) + 1}: ${String(event.percent)}% of traffic to the candidate`;
    case "check_completed":
      return describeCheck(event.check as ApiCheck);
    case "preflight_completed":
      return event.passed ? "preflight passed" : "preflight FAILED";
    case "metrics_unavailable":
      return `metrics unavailable (${String(event.error)}); ${event.action === "hold" ? "holding the soak clock" : "rolling back"}`;
    case "awaiting_approval":
      return `stage ${Number(event.stageIndex) + 1} passed its soak; waiting for approval in the dashboard`;
    case "approved":
    case "resumed":
      return `${event.type} by ${String(event.actor)}`;
    case "paused":
    case "promoted":
    case "rolled_back":
    case "cancelled":
    case "failed":
      return `${event.type.replace("_", " ")}: ${String(event.reason)}`;
    default:
      return undefined;
  }
}

/** A failing rule with the candidate's value, e.g. "error_rate <= 0.05 (0.5012)". */
export function describeFailingRules(check: Pick<ApiCheck, "results">): string[] {
  return check.results.filter((result) => result.verdict === "fail").map((result) => `${result.rule} (candidate ${formatValue(result.candidate)})`);
}

function describeCheck(check: ApiCheck): string {
  const requests = check.samples.candidate?.requests ?? 0;
  const head = `check in stage ${check.stageIndex + 1}: ${check.verdict === "insufficient_data" ? "no verdict" : check.verdict}, ${requests} candidate requests`;
  if (check.verdict === "insufficient_data" && check.note) return `${head} (${check.note})`;
  const failing = describeFailingRules(check);
  return failing.length > 0 ? `${head}; failing ${failing.join(", ")}` : head;
}

function formatValue(value: number | null): string {
  return value === null ? "n/a" : String(Number(value.toPrecision(4)));
}
