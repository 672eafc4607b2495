import { DEFAULT_POLICY, parsePlan, PlanError, type Plan, type Slo } from "./plan.js";

/**
 * Guardrails every built-in plan checks. The error rate is held to an absolute limit rather than
 * a ratio to stable: with a stable version that served no errors, one stray candidate error would
 * break any ratio and roll back a healthy release.
 */
export const DEFAULT_SLOS: Slo[] = [
  { sli: "error_rate", max: 0.01 },
  { sli: "latency_p99", maxRatioToStable: 1.5 },
];

function builtin(name: string, percents: number[], soakSeconds: number): Plan {
  return {
    name,
    stages: percents.map((percent) => ({
      percent,
      soakSeconds: percent === 100 ? 0 : soakSeconds,
      progression: "auto" as const,
    })),
    slos: DEFAULT_SLOS,
    policy: DEFAULT_POLICY,
  };
}

export const BUILTIN_PLANS: Readonly<Record<string, Plan>> = {
  fast: builtin("fast", [10, 50, 100], 5 * 60),
  standard: builtin("standard", [5, 25, 50, 100], 15 * 60),
  safe: builtin("safe", [5, 10, 25, 50, 75, 100], 30 * 60),
};

/** A plan from `--stages 5,15,35,65,100 --soak 10m`, with the built-in SLOs and policy. */
export function planFromStages(stagesText: string, soak: string | number, name = "custom"): Plan | PlanError {
  const percents = stagesText.split(",").map((part) => (part.trim() === "" ? NaN : Number(part.trim())));
  const bad = stagesText.split(",").find((_, i) => !Number.isFinite(percents[i]));
  if (bad !== undefined) return new PlanError(`--stages must be percents separated by commas, like 5,25,50,100 (got "${stagesText}")`);
  return parsePlan({
    name,
    stages: percents.map((percent) => (percent === 100 ? { percent } : { percent, soak })),
    slos: DEFAULT_SLOS,
    policy: {},
  });
}
