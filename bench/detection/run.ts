import { mkdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { BUILTIN_PLANS } from "../../src/core/builtin-plans.js";
import { describeSlo } from "../../src/core/check.js";
import { formatDuration } from "../../src/core/duration.js";
import { POLICY_NAMES, simulate, type PolicyReport } from "../../src/simulate/simulate.js";
import { barChartSvg } from "./bar-chart.js";
import { REGRESSIONS, scenarioFor, SETTINGS, settingName, STABLE_BEHAVIOUR, type Setting } from "./grid.js";

/**
 * How fast each policy catches regressions of several kinds and sizes, and how often it rolls back
 * a healthy candidate: `simulate` over a grid of scenarios, written to docs/detection.md with one
 * SVG bar chart per traffic setting.
 */

const runs = positiveInteger("BENCH_RUNS", process.env.BENCH_RUNS ?? "500");
const seed = positiveInteger("BENCH_SEED", process.env.BENCH_SEED ?? "1");
const planName = process.env.BENCH_PLAN ?? "standard";
const plan = BUILTIN_PLANS[planName];
if (!plan) throw new Error(`BENCH_PLAN must be one of ${Object.keys(BUILTIN_PLANS).join(", ")}, got ${planName}`);

function positiveInteger(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a whole number above 0, got ${text}`);
  return value;
}

const DOCS = fileURLToPath(new URL("../../docs/", import.meta.url));
const CHARTS = "detection";

interface Row {
  regression: string;
  policies: PolicyReport[];
}

const startedAt = performance.now();
const sections = SETTINGS.map((setting) => {
  const rows: Row[] = REGRESSIONS.map((regression) => {
    const report = simulate({ plan, scenario: scenarioFor(setting, regression), runs, seed, policies: POLICY_NAMES });
    process.stderr.write(`${settingName(setting)}, ${regression.name}: done\n`);
    return { regression: regression.name, policies: report.policies };
  });
  return { setting, rows };
});
const seconds = (performance.now() - startedAt) / 1000;

mkdirSync(`${DOCS}${CHARTS}`, { recursive: true });
for (const { setting, rows } of sections) {
  const svg = barChartSvg(
    `Mean excess bad requests per release, ${settingName(setting)}`,
    "excess bad requests",
    POLICY_NAMES,
    rows.map((row) => ({ label: row.regression, values: row.policies.map((policy) => policy.meanExcessBadRequests) })),
  );
  writeFileSync(`${DOCS}${chartFile(setting)}`, svg);
}
writeFileSync(`${DOCS}detection.md`, markdown());
console.log(
  `${SETTINGS.length * REGRESSIONS.length} scenarios x ${POLICY_NAMES.length} policies x ${runs} runs in ${seconds.toFixed(1)} s; wrote docs/detection.md`,
);

function chartFile({ rps, lagSeconds }: Setting): string {
  return `${CHARTS}/excess-${rps}rps-lag${lagSeconds}s.svg`;
}

function markdown(): string {
  const lines = [
    "# Detection benchmark",
    "",
    `Written by \`npm run bench:detection\` (bench/detection/run.ts): \`glidepath simulate\` of the \`${plan!.name}\` plan over a grid of`,
    `scenarios, ${runs} releases per policy and scenario, seed ${seed}, in ${seconds.toFixed(0)} s on one core. The model and the`,
    "policies are described in [simulate.md](simulate.md).",
    "",
    `Stable serves errors at ${STABLE_BEHAVIOUR.errorRate * 100}% with latency p50 ${STABLE_BEHAVIOUR.latencyMs.p50} ms and p99 ${STABLE_BEHAVIOUR.latencyMs.p99} ms; the candidate`,
    "is the same (A/A), or has its error rate multiplied, or its p99 raised (same p50), from the start of the release.",
    "",
    `The plan: stages ${plan!.stages.map((stage) => `${stage.percent}%${stage.soakSeconds > 0 ? ` for ${formatDuration(stage.soakSeconds)}` : ""}`).join(", ")};`,
    `a check every ${formatDuration(plan!.policy.checkIntervalSeconds)}, failureThreshold ${plan!.policy.failureThreshold}; SLOs: ${plan!.slos.map(describeSlo).join("; ")}.`,
    "`consecutive-3` and `argo` judge the plan's absolute SLOs (those with a `max`).",
    "",
    "Each cell: **rollback rate** / mean **excess bad requests** per release / median seconds to **rollback**.",
    "In the A/A rows every rollback is a false alarm and the time is the time to it.",
    "",
  ];
  for (const { setting, rows } of sections) {
    lines.push(`## ${settingName(setting)}`, "", `![Mean excess bad requests, ${settingName(setting)}](${chartFile(setting)})`, "");
    lines.push(`| scenario | ${POLICY_NAMES.join(" | ")} |`, `|---|${POLICY_NAMES.map(() => "---:").join("|")}|`);
    for (const row of rows) lines.push(`| ${row.regression} | ${row.policies.map(cell).join(" | ")} |`);
    lines.push("");
  }
  return `${lines.join("\n")}`;
}

function cell(policy: PolicyReport): string {
  const median = policy.timeToRollbackSeconds.median;
  return `${(policy.rollbackRate * 100).toFixed(1)}% / ${policy.meanExcessBadRequests.toFixed(0)} / ${median === null ? "-" : `${median}s`}`;
}
