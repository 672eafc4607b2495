import { parsePlan, type Plan } from "../core/plan.js";
import type { SliSample } from "../core/sli.js";

/** What the engine and scheduler tests share: a three-stage plan with 5-minute soaks, and healthy numbers. */

export const TEST_PLAN: Plan = parsePlan({
  name: "test",
  stages: [
    { percent: 10, soak: "5m" },
    { percent: 50, soak: "5m" },
    { percent: 100 },
  ],
  slos: [{ sli: "error_rate", max: 0.01 }],
  policy: { checkInterval: "1m", failureThreshold: 3, minRequests: 100 },
}) as Plan;

export const HEALTHY: SliSample = { requests: 1000, errors: 1, latencyMs: { p50: 30, p90: 40, p99: 50, p999: 60 } };
