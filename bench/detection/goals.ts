import type { PolicyReport } from "../../src/simulate/simulate.js";
import { AA, type Regression, type Setting } from "./grid.js";

/** What the benchmark found for one regression in one setting. */
export interface CellResult {
  setting: Setting;
  regression: Regression;
  policies: PolicyReport[];
}

export const GOALS = {
  /** The most glidepath may roll back healthy releases, in every setting. */
  falseRollbacks: 0.01,
  /** The least glidepath must catch of each regression held to the goals. */
  caught: 0.95,
  /** The most of the best eligible anchor's excess bad requests glidepath may serve. */
  toAnchor: 1 / 5,
  /** The most of the oracle's excess bad requests glidepath may serve. */
  toOracle: 1.5,
} as const;

export type GoalStatus = "met" | "missed" | "beyond the data" | "no eligible anchor";

/** One regression held to the goals, in one setting. */
export interface GoalRow {
  setting: Setting;
  regression: Regression;
  glidepath: PolicyReport;
  oracle: PolicyReport;
  /** The anchor with the fewest excess bad requests among those whose A/A rollback rate is no higher than glidepath's. */
  bestAnchor: PolicyReport | undefined;
  caught: GoalStatus;
  toAnchor: { ratio: number | null; status: GoalStatus };
  toOracle: { ratio: number | null; status: GoalStatus };
}

export interface SettingGoals {
  setting: Setting;
  falseRollbackRate: number;
  falseRollbacks: GoalStatus;
  rows: GoalRow[];
}

const policy = (cell: CellResult, name: string) => cell.policies.find((report) => report.policy === name)!;

/**
 * The goals, per setting: glidepath's A/A false rollbacks at most 1%; for every
 * regression of x2 or more, from the start or late, a rollback in at least 95% of runs, at most
 * a fifth of the excess bad requests of the best eligible anchor and at most 1.5 times the
 * oracle's. Catching is beyond the data where the oracle, which knows the truth, catches less
 * than 95% itself; the anchor ratio is beyond the data where the oracle misses it too, a ratio
 * is where its reference served no excess at all, and there is no anchor to compare with when
 * every anchor rolls back more healthy releases than glidepath.
 */
export function judgeGoals(cells: CellResult[]): SettingGoals[] {
  const settings = [...new Set(cells.map((cell) => cell.setting))];
  return settings.map((setting) => {
    const ofSetting = cells.filter((cell) => cell.setting === setting);
    const aa = ofSetting.find((cell) => cell.regression.kind === AA)!;
    const falseRollbackRate = policy(aa, "glidepath").rollbackRate;
    const eligible = aa.policies
      .filter((report) => !["glidepath", "oracle"].includes(report.policy) && report.rollbackRate <= falseRollbackRate)
      .map((report) => report.policy);
    const rows = ofSetting
      .filter((cell) => cell.regression.goal)
      .map((cell): GoalRow => {
        const glidepath = policy(cell, "glidepath");
        const oracle = policy(cell, "oracle");
        const bestAnchor = cell.policies
          .filter((report) => eligible.includes(report.policy))
          .reduce<PolicyReport | undefined>((best, report) => (!best || report.meanExcessBadRequests < best.meanExcessBadRequests ? report : best), undefined);
        return {
          setting,
          regression: cell.regression,
          glidepath,
          oracle,
          bestAnchor,
          caught: glidepath.rollbackRate >= GOALS.caught ? "met" : oracle.rollbackRate < GOALS.caught ? "beyond the data" : "missed",
          toAnchor: anchorGoal(glidepath, oracle, bestAnchor),
          toOracle: ratioGoal(glidepath.meanExcessBadRequests, oracle.meanExcessBadRequests, GOALS.toOracle),
        };
      });
    return { setting, falseRollbackRate, falseRollbacks: falseRollbackRate <= GOALS.falseRollbacks ? "met" : "missed", rows };
  });
}

/** Beyond the data where even the oracle serves more than a fifth of the anchor's excess (a lag that every policy waits out, say). */
function anchorGoal(glidepath: PolicyReport, oracle: PolicyReport, anchor: PolicyReport | undefined): { ratio: number | null; status: GoalStatus } {
  const goal = ratioGoal(glidepath.meanExcessBadRequests, anchor?.meanExcessBadRequests, GOALS.toAnchor);
  const oracleRatio = anchor && anchor.meanExcessBadRequests > 0 ? oracle.meanExcessBadRequests / anchor.meanExcessBadRequests : 0;
  return goal.status === "missed" && oracleRatio > GOALS.toAnchor ? { ...goal, status: "beyond the data" } : goal;
}

function ratioGoal(value: number, reference: number | undefined, most: number): { ratio: number | null; status: GoalStatus } {
  if (reference === undefined) return { ratio: null, status: "no eligible anchor" };
  if (reference === 0) return { ratio: null, status: value === 0 ? "met" : "beyond the data" };
  const ratio = value / reference;
  return { ratio, status: ratio <= most ? "met" : "missed" };
}
