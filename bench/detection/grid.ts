import { parseScenario, type Scenario, type VersionBehaviour } from "../../src/simulate/scenario.js";

export const STABLE: VersionBehaviour = { errorRate: 0.005, latencyMs: { p50: 40, p99: 250 } };

/** When the candidate turns bad: from the start, or 5 minutes into the standard plan's second or third stage. */
export const TIMINGS = [
  { name: "from the start", startsAfterSeconds: 0 },
  { name: "in stage 2", startsAfterSeconds: 20 * 60 },
  { name: "in stage 3", startsAfterSeconds: 35 * 60 },
] as const;

export type TimingName = (typeof TIMINGS)[number]["name"];

/** How the candidate differs from stable in one row of the grid, and from when. */
export interface Regression {
  /** e.g. "errors x2, in stage 3". */
  name: string;
  kind: string;
  timing: TimingName;
  /** Held to the goals: twice as bad or worse. */
  goal: boolean;
  candidate: VersionBehaviour;
  startsAfterSeconds: number;
}

const errorsTimes = (factor: number): VersionBehaviour => ({ ...STABLE, errorRate: STABLE.errorRate * factor });
const p99Plus = (percent: number): VersionBehaviour => ({ ...STABLE, latencyMs: { ...STABLE.latencyMs, p99: STABLE.latencyMs.p99 * (1 + percent / 100) } });

const KINDS = [
  { kind: "errors x1.5", candidate: errorsTimes(1.5), goal: false, late: false },
  { kind: "errors x2", candidate: errorsTimes(2), goal: true, late: true },
  { kind: "errors x5", candidate: errorsTimes(5), goal: true, late: true },
  { kind: "errors x10", candidate: errorsTimes(10), goal: true, late: true },
  { kind: "p99 +20%", candidate: p99Plus(20), goal: false, late: false },
  { kind: "p99 +50%", candidate: p99Plus(50), goal: false, late: true },
  { kind: "p99 +100%", candidate: p99Plus(100), goal: true, late: true },
];

export const AA = "A/A";

export const REGRESSIONS: Regression[] = [
  { name: AA, kind: AA, timing: "from the start", goal: false, candidate: STABLE, startsAfterSeconds: 0 },
  ...KINDS.flatMap(({ kind, candidate, goal, late }) =>
    TIMINGS.filter((timing) => late || timing.startsAfterSeconds === 0).map((timing) => ({
      name: timing.startsAfterSeconds === 0 ? kind : `${kind}, ${timing.name}`,
      kind,
      timing: timing.name,
      goal,
      candidate,
      startsAfterSeconds: timing.startsAfterSeconds,
    })),
  ),
];

/** The traffic and metrics settings the grid crosses with every regression. */
export interface Setting {
  rps: number;
  /** A daily swing of the traffic of this amplitude (0 for steady traffic). */
  diurnalAmplitude: number;
  lagSeconds: number;
  /** The share of requests the metrics source keeps. */
  sampling: number;
}

export const SETTINGS: Setting[] = [10, 50, 500, 5000].flatMap((rps) =>
  [0, 0.5].flatMap((diurnalAmplitude) =>
    [1, 0.1, 0.01].flatMap((sampling) => [0, 60, 120].map((lagSeconds) => ({ rps, diurnalAmplitude, lagSeconds, sampling }))),
  ),
);

export function settingName({ rps, diurnalAmplitude, lagSeconds, sampling }: Setting): string {
  const swing = diurnalAmplitude > 0 ? `, daily swing ±${diurnalAmplitude * 100}%` : "";
  return `${rps} rps${swing}, ${sampling * 100}% kept, lag ${lagSeconds}s`;
}

export function scenarioFor(setting: Setting, regression: Regression): Scenario {
  const scenario = parseScenario({
    traffic: { rps: setting.rps, ...(setting.diurnalAmplitude > 0 && { diurnal: { amplitude: setting.diurnalAmplitude } }) },
    stable: STABLE,
    candidate: regression.candidate,
    regressionStartsAfter: regression.startsAfterSeconds,
    metrics: { lag: setting.lagSeconds, sampling: setting.sampling },
  });
  if (scenario instanceof Error) throw scenario;
  return scenario;
}
