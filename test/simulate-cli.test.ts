import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "./support/cli.js";

const directory = mkdtempSync(join(tmpdir(), "glidepath-simulate-"));

function scenarioFile(name: string, text: string): string {
  const path = join(directory, name);
  writeFileSync(path, text);
  return path;
}

const regression = scenarioFile(
  "regression.yaml",
  `traffic: { rps: 100 }
stable:    { errorRate: 0.005, latencyMs: { p50: 40, p99: 250 } }
candidate: { errorRate: 0.10, latencyMs: { p50: 40, p99: 250 } }
metrics: { lag: 60s }
`,
);

describe("glidepath simulate", () => {
  it("prints a table with one row per policy", async () => {
    const { code, stdout, stderr } = await runCli(["simulate", "--plan", "fast", "--scenario", regression, "--runs", "20"]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout[0]).toBe("plan fast: 20 simulated releases per policy, seed 1");
    expect(stdout[2]).toMatch(
      /^policy +rollback +promotion +unfinished +rollback after \(median\) +\(p90\) +excess bad requests +release duration +excess \/ oracle +rollback after \/ oracle$/,
    );
    const rows = stdout.slice(3, 10).map((line) => line.split(/ {2,}/));
    expect(rows.map((row) => row[0])).toEqual(["glidepath", "threshold-script", "consecutive-3", "flagger", "argo", "relative", "oracle"]);
    expect(rows.find((row) => row[0] === "threshold-script")![1]).toBe("100.0%");
    expect(rows.find((row) => row[0] === "oracle")!.slice(-2)).toEqual(["1.00x", "1.00x"]);
  });

  it("prints one JSON object with --json, for the policies asked for", async () => {
    const { code, stdout } = await runCli([
      "simulate",
      "--scenario",
      regression,
      "--runs",
      "10",
      "--seed",
      "7",
      "--policies",
      "glidepath,flagger",
      "--json",
    ]);
    expect(code).toBe(0);
    expect(stdout).toHaveLength(1);
    const report = JSON.parse(stdout[0]!);
    expect(report).toMatchObject({ plan: "standard", runs: 10, seed: 7, sliceSeconds: 15 });
    expect(report.policies.map((policy: { policy: string }) => policy.policy)).toEqual(["glidepath", "flagger"]);
    expect(Object.keys(report.policies[0]).sort()).toEqual(
      [
        "policy",
        "rollbackRate",
        "promotionRate",
        "unfinishedRate",
        "timeToRollbackSeconds",
        "meanExcessBadRequests",
        "meanReleaseDurationSeconds",
      ].sort(),
    );
    expect(report.policies[0].timeToRollbackSeconds).toEqual({ median: expect.any(Number), p90: expect.any(Number) });
  });

  it("runs a plan file as given, approving its manual stages at once", async () => {
    const plan = scenarioFile(
      "plan.yaml",
      `name: manual-gate
stages:
  - { percent: 10, soak: 2m, progression: manual }
  - { percent: 100 }
slos:
  - { sli: error_rate, test: sequential }
  - { sli: error_rate, max: 0.05 }
`,
    );
    const same = scenarioFile("same.yaml", "stable: { errorRate: 0.005, latencyMs: { p50: 40, p99: 250 } }\ncandidate: { errorRate: 0.005, latencyMs: { p50: 40, p99: 250 } }\n");
    const { code, stdout } = await runCli(["simulate", "--plan", plan, "--scenario", same, "--runs", "10", "--policies", "glidepath", "--json"]);
    expect(code).toBe(0);
    const report = JSON.parse(stdout[0]!);
    expect(report.plan).toBe("manual-gate");
    expect(report.policies[0]).toMatchObject({ policy: "glidepath", promotionRate: 1, meanReleaseDurationSeconds: 120 });
  });

  it("refuses a bad scenario with exit 2, naming the field and the value", async () => {
    const bad = scenarioFile("bad.yaml", "stable: { errorRate: 0.5, latencyMs: { p50: 40, p99: 250 } }\ncandidate: { errorRate: -1, latencyMs: { p50: 40, p99: 250 } }\n");
    const { code, stderr, stdout } = await runCli(["simulate", "--scenario", bad]);
    expect(code).toBe(2);
    expect(stdout).toEqual([]);
    expect(stderr).toBe(`glidepath: invalid scenario in ${bad}: scenario.candidate.errorRate must be 0 or more (got -1)`);
  });

  it("refuses unknown policies and a missing scenario file with exit 2", async () => {
    const unknown = await runCli(["simulate", "--scenario", regression, "--policies", "glidepath,kayenta"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('--policies must list names from glidepath, threshold-script, consecutive-3, flagger, argo, relative, oracle, got "glidepath,kayenta"');
    const missing = await runCli(["simulate", "--scenario", join(directory, "nowhere.yaml")]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("nowhere.yaml: cannot read it (ENOENT)");
  });
});
