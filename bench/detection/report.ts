import { describeSlo } from "../../src/core/check.js";
import { formatDuration } from "../../src/core/duration.js";
import type { Plan } from "../../src/core/plan.js";
import { POLICY_NAMES, type PolicyReport } from "../../src/simulate/simulate.js";
import { type CellResult, GOALS, type GoalRow, type GoalStatus, type SettingGoals } from "./goals.js";
import { type Setting, SETTINGS, settingName, STABLE, TIMINGS } from "./grid.js";

/** The settings shown in full, each with a chart: steady traffic, every request kept or a tenth, with and without lag. */
export const HEADLINE_SETTINGS: Setting[] = SETTINGS.filter(
  (setting) => setting.diurnalAmplitude === 0 && [50, 500].includes(setting.rps) && [0, 60].includes(setting.lagSeconds) && [1, 0.1].includes(setting.sampling),
);

export function chartFile({ rps, lagSeconds, sampling }: Setting): string {
  return `detection/excess-${rps}rps-${sampling * 100}pct-lag${lagSeconds}s.svg`;
}

interface ReportInput {
  plan: Plan;
  runs: number;
  regressionRuns: number;
  seed: number;
  /** The simulations' time, summed over the cells: on one core. */
  seconds: number;
  cells: CellResult[];
  goals: SettingGoals[];
}

/** docs/detection.md: what was simulated, the goals as computed, then the headline settings in full. */
export function markdown({ plan, runs, regressionRuns, seed, seconds, cells, goals }: ReportInput): string {
  const lines = [
    "# Detection benchmark",
    "",
    `Written by \`npm run bench:detection\` (bench/detection/run.ts): \`glidepath simulate\` of the \`${plan.name}\` plan over a grid of`,
    `${cells.length} scenarios, ${runs} releases per policy in each A/A scenario and ${regressionRuns} in each other one, seed ${seed},`,
    `in ${formatDuration(Math.round(seconds))} of one core's time.`,
    "The model and the policies are described in [simulate.md](simulate.md); every cell is in",
    "[detection/results.json](detection/results.json).",
    "",
    `Stable serves errors at ${STABLE.errorRate * 100}% with latency p50 ${STABLE.latencyMs.p50} ms and p99 ${STABLE.latencyMs.p99} ms. The candidate is the`,
    "same (A/A), or has its error rate multiplied, or its p99 raised (same p50): from the start of the release, or",
    `from ${TIMINGS.slice(1).map((timing) => `${formatDuration(timing.startsAfterSeconds)} (${timing.name})`).join(" or ")}: five minutes into a stage on the plan's clock.`,
    "The grid crosses that with traffic of 10, 50, 500 and 5,000 requests per second, steady or with a daily swing of",
    "±50%; a metrics source that keeps every request, a tenth or a hundredth of them; and a lag of 0, 60 or 120 s.",
    "",
    `The plan: stages ${plan.stages.map((stage) => `${stage.percent}%${stage.soakSeconds > 0 ? ` for ${formatDuration(stage.soakSeconds)}` : ""}`).join(", ")};`,
    `a check every ${formatDuration(plan.policy.checkIntervalSeconds)}, failureThreshold ${plan.policy.failureThreshold}, minRequests ${plan.policy.minRequests}; SLOs: ${plan.slos.map(describeSlo).join("; ")}.`,
    "`consecutive-3` and `argo` judge the plan's absolute SLOs (those with a `max`). `oracle` is the information",
    "limit: Wald's test knowing the true behaviours and when the candidate turns bad.",
    "",
    ...goalSections(goals),
    "## Headline settings",
    "",
    "Each cell: **rollback rate** / mean **excess bad requests** per release / median seconds from the candidate",
    "turning bad to **rollback**. In the A/A rows every rollback is a false alarm and the time is the time to it.",
    "",
  ];
  for (const setting of HEADLINE_SETTINGS) {
    const rows = cells.filter((cell) => cell.setting === setting);
    if (rows.length === 0) continue;
    lines.push(`### ${settingName(setting)}`, "", `![Mean excess bad requests, ${settingName(setting)}](${chartFile(setting)})`, "");
    lines.push(`| scenario | ${POLICY_NAMES.join(" | ")} |`, `|---|${POLICY_NAMES.map(() => "---:").join("|")}|`);
    for (const cell of rows) lines.push(`| ${cell.regression.name} | ${cell.policies.map(summaryCell).join(" | ")} |`);
    lines.push("");
  }
  return lines.join("\n");
}

function goalSections(goals: SettingGoals[]): string[] {
  const rows = goals.flatMap((setting) => setting.rows);
  const count = (pick: (row: GoalRow) => GoalStatus) => {
    const statuses = rows.map(pick);
    const of = (status: GoalStatus) => statuses.filter((s) => s === status).length;
    return `${of("met")} met, ${of("missed")} missed${of("beyond the data") ? `, ${of("beyond the data")} beyond the data` : ""}${of("no eligible anchor") ? `, ${of("no eligible anchor")} without an eligible anchor` : ""}`;
  };
  const aaMissed = goals.filter((setting) => setting.falseRollbacks !== "met");
  const misses = rows.filter((row) => [row.caught, row.toAnchor.status, row.toOracle.status].includes("missed"));
  const lines = [
    "## Goals",
    "",
    `- A/A false rollbacks at most ${GOALS.falseRollbacks * 100}% with the plan: ${goals.length - aaMissed.length} of ${goals.length} settings met` +
      (aaMissed.length ? ` (missed: ${aaMissed.map((s) => `${settingName(s.setting)} ${percent(s.falseRollbackRate, 2)}`).join("; ")})` : "") +
      `; the highest was ${percent(Math.max(...goals.map((s) => s.falseRollbackRate)), 2)}.`,
    `- Every regression of x2 or more (${[...new Set(rows.map((row) => row.regression.kind))].join(", ")}), from the start or late, in every setting (${rows.length} cells):`,
    `  - caught in at least ${GOALS.caught * 100}% of runs: ${count((row) => row.caught)};`,
    `  - at most ${fraction(GOALS.toAnchor)} of the excess bad requests of the best anchor whose A/A rate is no higher: ${count((row) => row.toAnchor.status)};`,
    `  - at most ${GOALS.toOracle}x the oracle's: ${count((row) => row.toOracle.status)}.`,
    "",
    "Beyond the data: the oracle itself catches the regression in fewer than 95% of runs, or the reference served no",
    "excess at all. Per setting (caught / anchor / oracle, as met of the cells; the worst ratios):",
    "",
    "| setting | A/A false rollbacks | caught | <= 1/5 anchor | <= 1.5x oracle | worst to anchor | worst to oracle |",
    "|---|---:|---:|---:|---:|---:|---:|",
  ];
  for (const setting of goals) {
    const met = (pick: (row: GoalRow) => GoalStatus) => `${setting.rows.filter((row) => pick(row) === "met").length}/${setting.rows.length}`;
    const worst = (pick: (row: GoalRow) => number | null) => {
      const ratios = setting.rows.map(pick).filter((ratio) => ratio !== null);
      return ratios.length ? Math.max(...ratios).toFixed(2) : "-";
    };
    lines.push(
      `| ${settingName(setting.setting)} | ${percent(setting.falseRollbackRate, 2)}${setting.falseRollbacks === "met" ? "" : " **missed**"} | ` +
        `${met((row) => row.caught)} | ${met((row) => row.toAnchor.status)} | ${met((row) => row.toOracle.status)} | ` +
        `${worst((row) => row.toAnchor.ratio)} | ${worst((row) => row.toOracle.ratio)} |`,
    );
  }
  lines.push("", `### Cells that miss a goal (${misses.length})`, "");
  if (misses.length === 0) return [...lines, "None.", ""];
  lines.push(
    "| setting | regression | glidepath rollback / excess | best eligible anchor | to anchor | oracle rollback / excess | to oracle |",
    "|---|---|---:|---|---:|---:|---:|",
  );
  for (const row of misses) {
    const anchor = row.bestAnchor ? `${row.bestAnchor.policy} ${row.bestAnchor.meanExcessBadRequests.toFixed(1)}` : "none";
    lines.push(
      `| ${settingName(row.setting)} | ${row.regression.name} | ${mark(row.caught, `${percent(row.glidepath.rollbackRate, 1)}`)} / ${row.glidepath.meanExcessBadRequests.toFixed(1)} | ` +
        `${anchor} | ${mark(row.toAnchor.status, ratioText(row.toAnchor.ratio))} | ${percent(row.oracle.rollbackRate, 1)} / ${row.oracle.meanExcessBadRequests.toFixed(1)} | ` +
        `${mark(row.toOracle.status, ratioText(row.toOracle.ratio))} |`,
    );
  }
  lines.push("");
  return lines;
}

function summaryCell(report: PolicyReport): string {
  const median = report.timeToRollbackSeconds.median;
  return `${percent(report.rollbackRate, 1)} / ${report.meanExcessBadRequests.toFixed(0)} / ${median === null ? "-" : `${median}s`}`;
}

function mark(status: GoalStatus, text: string): string {
  return status === "missed" ? `**${text}**` : text;
}

function ratioText(ratio: number | null): string {
  return ratio === null ? "-" : ratio.toFixed(2);
}

function percent(rate: number, digits: number): string {
  return `${(rate * 100).toFixed(digits)}%`;
}

function fraction(value: number): string {
  return `1/${Math.round(1 / value)}`;
}
