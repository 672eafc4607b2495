import * as core from "@actions/core";

export type StageOutcome = "passed" | "failed" | "cancelled" | "in_progress" | "skipped" | "not_reached";

/** What the job summary tells about a release, from the server's detail or the standalone run. */
export interface ReleaseReport {
  name: string;
  url?: string;
  stable: string;
  candidate: string;
  plan: string;
  state: string;
  reason: string | null;
  stages: { percent: number; soakSeconds: number; outcome: StageOutcome; checks: number }[];
  /** The rules that failed the check that rolled the release back. */
  failedSlos: string[];
  ticketUrl?: string;
}

const OUTCOME_TEXT: Record<string, string> = {
  succeeded: "✅ promoted",
  rolled_back: "❌ rolled back",
  cancelled: "⚠️ cancelled",
  failed: "❌ failed",
};

/** Appends the release's stages, checks and outcome to the job summary (GITHUB_STEP_SUMMARY). */
export async function writeJobSummary(report: ReleaseReport): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) {
    core.info("GITHUB_STEP_SUMMARY is not set: no job summary written");
    return;
  }
  await core.summary.addRaw(renderReport(report), true).write();
}

export function renderReport(report: ReleaseReport): string {
  const title = report.url ? `[${escape(report.name)}](${report.url})` : escape(report.name);
  const lines = [
    `### Glidepath release ${title}`,
    "",
    `**${OUTCOME_TEXT[report.state] ?? report.state}**: ${escape(report.stable)} → ${escape(report.candidate)} with plan ${escape(report.plan)}`,
    "",
    "| Stage | Traffic | Soak | Checks | Outcome |",
    "|---|---|---|---|---|",
    ...report.stages.map(
      (stage, index) => `| ${index + 1} | ${stage.percent}% | ${stage.soakSeconds}s | ${stage.checks} | ${stage.outcome.replace("_", " ")} |`,
    ),
    "",
  ];
  if (report.reason) lines.push(`**Reason:** ${escape(report.reason)}`, "");
  if (report.failedSlos.length > 0) lines.push("**Failed SLOs:**", ...report.failedSlos.map((slo) => `- ${escape(slo)}`), "");
  if (report.ticketUrl) lines.push(`**Ticket:** ${report.ticketUrl}`, "");
  return lines.join("\n");
}

/** Keeps text from a release (names, reasons) from breaking the table or becoming markup. */
function escape(text: string): string {
  return text.replace(/[\\|<>*`[\]]/g, (character) => `\\${character}`);
}
