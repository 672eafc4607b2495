import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resolvePlan } from "../../src/cli/plan-option.js";
import { runRollout } from "../../src/cli/rollout/run-rollout.js";
import type { RolloutSummary } from "../../src/cli/rollout/summary.js";
import type { StandaloneInputs } from "./inputs.js";
import { writeJobSummary } from "./job-summary.js";
import { rememberStandaloneRelease } from "./post-step.js";
import { describeApiEvent, describeFailingRules } from "./progress-text.js";
import type { ApiEvent } from "./server-api.js";
import { failUnlessPromoted, setOutputs } from "./step-outcome.js";

/**
 * Runs the whole rollout inside the job, as `glidepath rollout --platform cloudflare` would, with
 * its release in a new data directory under the runner's temporary directory, which the post
 * step reads should this step be stopped before the release ends.
 */
export async function runStandalone(inputs: StandaloneInputs): Promise<void> {
  const config: Record<string, string> = { accountId: inputs.accountId, worker: inputs.worker, metrics: "graphql" };
  if (inputs.cloudflareApiBaseUrl) config.apiBaseUrl = inputs.cloudflareApiBaseUrl;
  if (inputs.metricsLagSeconds !== undefined) config.lagSeconds = String(inputs.metricsLagSeconds);
  const name = inputs.name ?? `${inputs.worker}-to-${inputs.candidate.slice(0, 8)}`;
  const dataDir = mkdtempSync(join(process.env.RUNNER_TEMP || tmpdir(), "glidepath-"));
  rememberStandaloneRelease(dataDir, name);
  const summary = await withRolloutLines(() =>
    runRollout({
      target: { platform: "cloudflare", config },
      secrets: { cloudflareApiToken: inputs.cloudflareApiToken },
      candidate: inputs.candidate,
      plan: resolvePlan({ plan: inputs.plan }),
      name,
      dataDir,
      output: "json",
    }),
  );
  if (!summary) throw new Error("the rollout ended without a summary");
  setOutputs({ releaseId: summary.releaseId, releaseUrl: "", state: summary.state });
  await writeJobSummary({
    name: summary.name,
    stable: summary.stable,
    candidate: summary.candidate,
    plan: summary.plan,
    state: summary.state,
    reason: summary.reason,
    stages: summary.stages,
    failedSlos: describeFailingRules({ results: summary.failedSlos }),
    ticketUrl: inputs.ticketUrl,
  });
  failUnlessPromoted(summary.state, summary.name, summary.reason);
}

/**
 * runRollout reports on standard output only; in its JSON form each line is an event or, last,
 * the summary. While it runs, those lines become readable log lines and the summary is kept.
 */
async function withRolloutLines(rollout: () => Promise<number>): Promise<RolloutSummary | undefined> {
  const write = process.stdout.write.bind(process.stdout);
  let summary: RolloutSummary | undefined;
  let pending = "";
  const onLine = (line: string) => {
    const parsed = parseJson(line);
    if (parsed?.type === "summary") summary = parsed as unknown as RolloutSummary;
    else if (parsed) {
      const text = describeApiEvent(parsed as ApiEvent);
      if (text) write(`${text}\n`);
    } else write(`${line}\n`);
  };
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const lines = (pending + (typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"))).split("\n");
    pending = lines.pop()!;
    lines.forEach(onLine);
    const done = rest.find((argument) => typeof argument === "function") as (() => void) | undefined;
    done?.();
    return true;
  }) as typeof process.stdout.write;
  try {
    await rollout();
  } finally {
    process.stdout.write = write;
    if (pending) onLine(pending);
  }
  return summary;
}

function parseJson(line: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
