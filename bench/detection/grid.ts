import { parseScenario, type Scenario } from "../../src/simulate/scenario.js";

const STABLE = { errorRate: 0.005, latencyMs: { p50: 40, p99: 250 } };

/** How the candidate differs from stable in one row of the grid. */
export interface Regression {
  name: string;
  candidate: typeof STABLE;
}

export const REGRESSIONS: Regression[] = [
  { name: "A/A", candidate: STABLE },
  ...[1.5, 2, 5, 10].map((factor) => ({ name: `errors x${factor}`, candidate: { ...STABLE, errorRate: STABLE.errorRate * factor } })),
  ...[20, 50, 100].map((extra) => ({
    name: `p99 +${extra}%`,
    candidate: { ...STABLE, latencyMs: { ...STABLE.latencyMs, p99: STABLE.latencyMs.p99 * (1 + extra / 100) } },
  })),
];

/** The traffic and metrics settings the grid crosses with every regression. */
export interface Setting {
  rps: number;
  lagSeconds: number;
}

export const SETTINGS: Setting[] = [50, 500].flatMap((rps) => [0, 60].map((lagSeconds) => ({ rps, lagSeconds })));

export function settingName({ rps, lagSeconds }: Setting): string {
  return `${rps} rps, metrics lag ${lagSeconds}s`;
}

export function scenarioFor(setting: Setting, regression: Regression): Scenario {
  const scenario = parseScenario({
    traffic: { rps: setting.rps },
    stable: STABLE,
    candidate: regression.candidate,
    metrics: { lag: setting.lagSeconds },
  });
  if (scenario instanceof Error) throw scenario;
  return scenario;
}

export const STABLE_BEHAVIOUR = STABLE;
