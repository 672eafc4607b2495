import type { PolicyReport, SimulationReport } from "./simulate.js";

const COLUMNS: { title: string; value: (policy: PolicyReport) => string }[] = [
  { title: "policy", value: (policy) => policy.policy },
  { title: "rollback", value: (policy) => percent(policy.rollbackRate) },
  { title: "promotion", value: (policy) => percent(policy.promotionRate) },
  { title: "unfinished", value: (policy) => percent(policy.unfinishedRate) },
  { title: "rollback after (median)", value: (policy) => seconds(policy.timeToRollbackSeconds.median) },
  { title: "(p90)", value: (policy) => seconds(policy.timeToRollbackSeconds.p90) },
  { title: "excess bad requests", value: (policy) => policy.meanExcessBadRequests.toFixed(1) },
  { title: "release duration", value: (policy) => seconds(policy.meanReleaseDurationSeconds) },
];

/** With the oracle among the policies, each one's excess and time to rollback as multiples of the oracle's. */
const ORACLE_COLUMNS: typeof COLUMNS = [
  { title: "excess / oracle", value: (policy) => multiple(policy.toOracle?.excessBadRequests) },
  { title: "rollback after / oracle", value: (policy) => multiple(policy.toOracle?.timeToRollback) },
];

/** The report as aligned plain text: a heading line, then one row per policy. */
export function formatReportTable(report: SimulationReport): string {
  const columns = report.policies.some((policy) => policy.toOracle) ? [...COLUMNS, ...ORACLE_COLUMNS] : COLUMNS;
  const rows = [columns.map((column) => column.title), ...report.policies.map((policy) => columns.map((column) => column.value(policy)))];
  const widths = columns.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  const lines = rows.map((row) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join("  ").trimEnd());
  const heading = `plan ${report.plan}: ${report.runs} simulated releases per policy, seed ${report.seed}`;
  const notes = "excess bad requests and release duration are means per release; rollback after counts from when the candidate turned bad";
  return [heading, "", ...lines, "", notes].join("\n");
}

function multiple(value: number | null | undefined): string {
  return value === null || value === undefined ? "-" : `${value.toFixed(2)}x`;
}

function percent(rate: number): string {
  return `${(rate * 100).toFixed(1)}%`;
}

function seconds(value: number | null): string {
  return value === null ? "-" : `${Math.round(value)}s`;
}
