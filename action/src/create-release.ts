import { createHash } from "node:crypto";
import type { ServerInputs } from "./inputs.js";
import type { ReleaseSummary, TeamApi } from "./server-api.js";

/**
 * Creates the release. Its Idempotency-Key comes from the workflow run, attempt and job, so a
 * step retried within the same attempt gets the release it already made instead of a second one;
 * the target and version are in it too, since the legs of a matrix share the job's id.
 */
export async function createRelease(api: TeamApi, inputs: ServerInputs, env: NodeJS.ProcessEnv): Promise<{ release: ReleaseSummary; replayed: boolean }> {
  const body = {
    target: inputs.target,
    candidate: inputs.candidate,
    autoStart: inputs.autoStart,
    ...(inputs.plan !== undefined && { plan: inputs.plan }),
    ...(inputs.name !== undefined && { name: inputs.name }),
    ...(inputs.ticketUrl !== undefined && { ticketUrl: inputs.ticketUrl }),
  };
  const response = await api.fetch("releases", {
    method: "POST",
    headers: { "content-type": "application/json", ...idempotencyHeader(inputs, env) },
    body: JSON.stringify(body),
  });
  return { release: (await response.json()) as ReleaseSummary, replayed: response.headers.get("idempotent-replayed") === "true" };
}

/** None outside GitHub Actions: two runs of the same inputs there are two deliberate releases. */
function idempotencyHeader(inputs: ServerInputs, env: NodeJS.ProcessEnv): Record<string, string> {
  if (!env.GITHUB_RUN_ID) return {};
  const run = [env.GITHUB_REPOSITORY, env.GITHUB_RUN_ID, env.GITHUB_RUN_ATTEMPT, env.GITHUB_JOB].join("/");
  const what = [inputs.team, inputs.target, inputs.candidate].join("/");
  return { "idempotency-key": `github-action-${createHash("sha256").update(`${run}\n${what}`).digest("hex").slice(0, 40)}` };
}
