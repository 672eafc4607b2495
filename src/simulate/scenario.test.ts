import { describe, expect, it } from "vitest";
import { parseScenario, parseScenarioText, ScenarioError } from "./scenario.js";

const versions = {
  stable: { errorRate: 0.005, latencyMs: { p50: 40, p99: 250 } },
  candidate: { errorRate: 0.01, latencyMs: { p50: 40, p99: 250 } },
};

describe("parseScenario", () => {
  it("fills in the defaults: 200 rps, no regression delay, no lag, every request seen", () => {
    expect(parseScenario(versions)).toEqual({
      traffic: { rps: 200 },
      ...versions,
      regressionStartsAfterSeconds: 0,
      metrics: { lagSeconds: 0, sampling: 1 },
    });
  });

  it("reads durations in the plan's notation", () => {
    const scenario = parseScenario({
      ...versions,
      traffic: { rps: 50, diurnal: { amplitude: 0.5, period: "24h" } },
      regressionStartsAfter: "10m",
      metrics: { lag: "60s", sampling: 0.1 },
    });
    expect(scenario).toMatchObject({
      traffic: { rps: 50, diurnal: { amplitude: 0.5, periodSeconds: 86_400 } },
      regressionStartsAfterSeconds: 600,
      metrics: { lagSeconds: 60, sampling: 0.1 },
    });
  });

  it.each([
    [{ ...versions, traffic: { rps: 0 } }, 'scenario.traffic.rps must be greater than 0 (got 0)'],
    [{ ...versions, metrics: { lag: "soon" } }, 'scenario.metrics.lag must be a duration: a number of seconds, or text such as 90s, 15m or 1h30m (got "soon")'],
    [{ ...versions, metrics: { sampling: 0 } }, "scenario.metrics.sampling must be greater than 0 (got 0)"],
    [{ ...versions, candidate: { ...versions.candidate, errorRate: 1.5 } }, "scenario.candidate.errorRate must be at most 1 (got 1.5)"],
    [
      { ...versions, stable: { errorRate: 0, latencyMs: { p50: 300, p99: 250 } } },
      "scenario.stable.latencyMs.p99 must be greater than latencyMs.p50 (got 250)",
    ],
    [{ stable: versions.stable }, "scenario.candidate is required (missing)"],
    [{ ...versions, stable: { ...versions.stable, errorRate: "low" } }, 'scenario.stable.errorRate must be a number (got "low")'],
    [{ ...versions, rps: 200 }, "scenario.rps: unknown field (got 200)"],
  ])("names the field and the value it got: %j", (input, message) => {
    const scenario = parseScenario(input);
    expect(scenario).toBeInstanceOf(ScenarioError);
    expect((scenario as ScenarioError).message).toContain(message);
  });

  it("names the file when its text is not YAML", () => {
    const scenario = parseScenarioText("stable: [", "scenario.yaml");
    expect(scenario).toBeInstanceOf(ScenarioError);
    expect((scenario as ScenarioError).message).toMatch(/^scenario.yaml is not valid YAML or JSON/);
  });
});
