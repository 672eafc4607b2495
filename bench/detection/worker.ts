import { BUILTIN_PLANS } from "../../src/core/builtin-plans.js";
import { POLICY_NAMES, simulate, type PolicyReport } from "../../src/simulate/simulate.js";
import { REGRESSIONS, scenarioFor, SETTINGS } from "./grid.js";

/** One cell of the grid to simulate, by its place in SETTINGS and REGRESSIONS. */
export interface Task {
  setting: number;
  regression: number;
  runs: number;
  seed: number;
  plan: string;
}

export interface TaskResult {
  task: Task;
  policies: PolicyReport[];
  /** How long the simulation took, on one core. */
  seconds: number;
}

/** A child process of run.ts: simulates each task it is sent and sends the reports back. */
process.on("message", (task: Task) => {
  const plan = BUILTIN_PLANS[task.plan]!;
  const scenario = scenarioFor(SETTINGS[task.setting]!, REGRESSIONS[task.regression]!);
  const startedAt = performance.now();
  const { policies } = simulate({ plan, scenario, runs: task.runs, seed: task.seed, policies: POLICY_NAMES });
  process.send!({ task, policies, seconds: (performance.now() - startedAt) / 1000 } satisfies TaskResult);
});
