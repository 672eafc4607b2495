import * as core from "@actions/core";

/** The `status` output: a release's state, with the states of a release still under way as running. */
export function statusOutput(state: string): string {
  return state === "awaiting_approval" || state === "paused" ? "running" : state;
}

/** Sets the step's outputs. */
export function setOutputs(outputs: { releaseId: string; releaseUrl: string; state: string }): void {
  core.setOutput("release-id", outputs.releaseId);
  core.setOutput("release-url", outputs.releaseUrl);
  core.setOutput("status", statusOutput(outputs.state));
}

/** Fails the step unless the release was promoted: an error annotation and exit code 1. */
export function failUnlessPromoted(state: string, name: string, reason: string | null): void {
  if (state === "succeeded") {
    core.info(`release ${name} promoted`);
    return;
  }
  const what = { rolled_back: "rolled back", cancelled: "was cancelled", failed: "failed" }[state] ?? `ended ${state}`;
  core.setFailed(`release ${name} ${what}${reason ? `: ${reason}` : ""}`);
}
