import * as core from "@actions/core";
import { createRelease } from "./create-release.js";
import { followRelease } from "./follow-release.js";
import type { ServerInputs } from "./inputs.js";
import { writeJobSummary, type ReleaseReport, type StageOutcome } from "./job-summary.js";
import { describeApiEvent, describeFailingRules } from "./progress-text.js";
import { TeamApi, type ReleaseDetail } from "./server-api.js";
import { failUnlessPromoted, setOutputs } from "./step-outcome.js";

/** Creates the release on the server and, with `wait`, follows it to its end. */
export async function runOnServer(inputs: ServerInputs): Promise<void> {
  const api = new TeamApi(inputs.serverUrl, inputs.apiToken, inputs.team);
  const { release, replayed } = await createRelease(api, inputs, process.env);
  core.info(`${replayed ? "release already created by this job" : "created release"} ${release.name} (${release.id}): ${release.state} — ${release.url}`);
  setOutputs({ releaseId: release.id, releaseUrl: release.url, state: release.state });
  if (!inputs.wait) return;

  const outcome = await followRelease(api, release.id, {
    timeoutSeconds: inputs.waitTimeoutSeconds,
    onEvent: (event) => {
      const line = describeApiEvent(event);
      if (line) core.info(line);
    },
    onReconnect: (reason) => core.warning(`reconnecting to the release's events: ${reason}`),
  });
  const detail = await api.json<ReleaseDetail>(`releases/${encodeURIComponent(release.id)}`);
  setOutputs({ releaseId: detail.id, releaseUrl: detail.url, state: detail.state });
  await writeJobSummary(reportOf(detail, inputs.ticketUrl));
  if (outcome === "timed_out") {
    core.setFailed(
      `release ${detail.name} did not end within wait-timeout (${inputs.waitTimeoutSeconds}s); it is ${detail.state} and goes on on the server: ${detail.url}`,
    );
    return;
  }
  failUnlessPromoted(detail.state, detail.name, detail.reason);
}

function reportOf(detail: ReleaseDetail, ticketUrl: string | undefined): ReleaseReport {
  const failingCheck = detail.state === "rolled_back" ? detail.checks.findLast((check) => check.verdict === "fail") : undefined;
  return {
    name: detail.name,
    url: detail.url,
    stable: detail.stable,
    candidate: detail.candidate,
    plan: detail.plan,
    state: detail.state,
    reason: detail.reason,
    stages: detail.stages.map((stage) => ({
      percent: stage.percent,
      soakSeconds: stage.soakSeconds,
      outcome: stageOutcome(stage.status, detail.state),
      checks: detail.checks.filter((check) => check.stageIndex === stage.index).length,
    })),
    failedSlos: failingCheck ? describeFailingRules(failingCheck) : [],
    ticketUrl,
  };
}

function stageOutcome(status: "done" | "current" | "next", state: string): StageOutcome {
  if (status === "done") return "passed";
  if (status === "next") return "not_reached";
  const ended: Record<string, StageOutcome> = { succeeded: "passed", rolled_back: "failed", cancelled: "cancelled", failed: "failed" };
  return ended[state] ?? "in_progress";
}
