import { describe, expect, it } from "vitest";
import { jsonLines, runCli } from "./support/cli.js";

/** The acceptance runs of the one-command demo: real services, proxy and load, the standard plan at time scale 60. */
describe.concurrent("glidepath demo", () => {
  it("promotes a healthy v2 to 100% and exits 0", { timeout: 120_000 }, async () => {
    const { code, stdout, stderr } = await runCli(["demo", "--scenario", "healthy", "--time-scale", "60", "--json"]);

    expect(stderr).toBe("");
    const summary = jsonLines(stdout).at(-1)!;
    expect(summary).toMatchObject({
      type: "summary",
      state: "succeeded",
      finalSplit: [{ version: "v2", percent: 100 }],
      stages: [5, 25, 50, 100].map((percent) => ({ percent, outcome: "passed" })),
    });
    expect(code).toBe(0);
  });

  it("rolls back an error spike to 100% v1, exits 3 and names the failing SLO with its values", { timeout: 120_000 }, async () => {
    const { code, stdout } = await runCli(["demo", "--scenario", "error-spike", "--time-scale", "60", "--rps", "500", "--json"]);

    expect(code).toBe(3);
    const summary = jsonLines(stdout).at(-1)!;
    expect(summary).toMatchObject({ state: "rolled_back", finalSplit: [{ version: "v1", percent: 100 }] });
    expect(summary.reason).toMatch(/error_rate <= 0.01: v2 0\.\d+ \(v1 0\)/);
    expect(summary.failedSlos).toEqual([
      expect.objectContaining({ rule: "error_rate <= 0.01", verdict: "fail", candidate: expect.any(Number), stable: 0 }),
    ]);
  });

  it("rolls back a latency regression to 100% v1, exits 3 and names the p99 SLO", { timeout: 120_000 }, async () => {
    const { code, stdout } = await runCli(["demo", "--scenario", "latency-regression", "--time-scale", "60", "--rps", "500", "--json"]);

    expect(code).toBe(3);
    const summary = jsonLines(stdout).at(-1)!;
    expect(summary).toMatchObject({ state: "rolled_back", finalSplit: [{ version: "v1", percent: 100 }] });
    expect(summary.reason).toMatch(/latency_p99 <= 1.5 x stable: v2 \d+(\.\d+)? \(v1 \d+(\.\d+)?\)/);
    const [failed] = summary.failedSlos as { candidate: number; stable: number; threshold: number }[];
    expect(failed!.candidate).toBeGreaterThan(failed!.threshold);
    expect(failed!.threshold).toBeCloseTo(failed!.stable * 1.5);
  });
});
