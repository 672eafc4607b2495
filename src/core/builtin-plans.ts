import { DEFAULT_POLICY, parsePlan, PlanError, type Plan, type Slo } from "./plan.js";

/**
 * What every built-in plan checks. Sequential tests compare the candidate with stable and find
 * small regressions early; their alphas add up to a 1% chance at most of rolling back a candidate
 * that is no worse. The guardrails catch a plainly broken candidate even where a test cannot
 * apply: the absolute error limit is loose on purpose, since at low traffic a tight one trips on
 * a few stray errors, and a latency test needs histograms, which Cloudflare does not give.
 */
export const DEFAULT_SLOS: Slo[] = [
  { sli: "error_rate", test: "sequential", alpha: 0.005, minEffect: 0.1 },
  { sli: "latency_p99", test: "sequential", alpha: 0.005, minEffect: 0.1 },
  { sli: "error_rate", max: 0.05 },
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
