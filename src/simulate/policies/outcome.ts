import type { Plan } from "../../core/plan.js";
import type { Scenario } from "../scenario.js";
import type { Trajectory } from "../traffic.js";

/** How one simulated release ended; `unfinished` when it was still going at the simulation's horizon. */
export interface ReleaseOutcome {
  result: "rolled_back" | "promoted" | "unfinished";
  endedAtMs: number;
}

/**
 * Runs one release of the plan on the trajectory's traffic, in virtual time from 0. Only the
 * oracle reads the scenario: every other policy knows no more than its metrics tell it.
 */
export type PolicyDriver = (plan: Plan, trajectory: Trajectory, scenario: Scenario) => ReleaseOutcome;
