import { describe, expect, it } from "vitest";
import { jsonLines, runCli, startCli } from "./support/cli.js";

interface Dashboard {
  url: string;
  email: string;
  password: string;
}

/** Signs in to the dashboard's API as a person would and lists the default team's releases. */
async function releasesOnDashboard({ url, email, password }: Dashboard): Promise<{ id: string; target: string; plan: string; state: string }[]> {
  const session = await fetch(`${url}/api/v1/session`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password }),
  });
  expect(session.status).toBe(201);
  const { csrfToken } = (await session.json()) as { csrfToken: string };
  const cookie = session.headers.getSetCookie()[0]!.split(";")[0]!;
  const listed = await fetch(`${url}/api/v1/teams/default/releases`, { headers: { cookie, "x-csrf-token": csrfToken } });
  expect(listed.status).toBe(200);
  return ((await listed.json()) as { releases: { id: string; target: string; plan: string; state: string }[] }).releases;
}

/**
 * The acceptance runs of the one-command demo: real services, proxy and load, the standard plan at
 * time scale 60. One at a time: each is a real-time workload, and starving it of CPU distorts the
 * latencies it measures.
 */
describe("glidepath demo", () => {
  // At the default load the first stage (5%) takes about half a minute to give v2 the 500 requests a p99 verdict needs.
  it("promotes a healthy v2 to 100% and exits 0, while the server's dashboard shows the release to the demo's admin", { timeout: 180_000 }, async () => {
    const demo = startCli(["demo", "--scenario", "healthy", "--time-scale", "60", "--port", "0", "--json"]);
    const dashboard = JSON.parse(await demo.waitForLine((line) => line.includes('"type":"dashboard"'))) as Dashboard;
    const started = JSON.parse(await demo.waitForLine((line) => line.includes('"type":"stage_started"'))) as { releaseId: string };

    expect(dashboard).toMatchObject({ url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/), email: "demo@glidepath.local" });
    const [release] = (await releasesOnDashboard(dashboard)).filter((listed) => listed.id === started.releaseId);
    expect(release).toMatchObject({ target: "demo-service", plan: "standard-demo" });
    expect(["running", "succeeded"]).toContain(release!.state);

    const { code } = await demo.exited;
    expect(demo.stderr).toEqual([]);
    const printed = jsonLines(demo.lines);
    expect(printed[0]).toMatchObject({ type: "dashboard" });
    const summary = printed.at(-1)!;
    expect(summary.reason).toBe("every stage passed");
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
    expect(summary.reason).toMatch(/^a sequential test found v2 worse than v1: error_rate not worse than stable \+ 10% \(sequential test, alpha 0.005\): v2 0\.\d+ \(v1 0\), evidence \S+ >= 200/);
    const [sequential] = summary.failedSlos as { slo: { test?: string }; verdict: string; evidence: { eValue: number; threshold: number } }[];
    expect(sequential).toMatchObject({ slo: { sli: "error_rate", test: "sequential" }, verdict: "fail", stable: 0 });
    expect(sequential!.evidence.eValue).toBeGreaterThanOrEqual(sequential!.evidence.threshold);
  });

  it("rolls back a latency regression to 100% v1, exits 3 and names the p99 SLO", { timeout: 120_000 }, async () => {
    const { code, stdout } = await runCli(["demo", "--scenario", "latency-regression", "--time-scale", "60", "--rps", "500", "--json"]);

    expect(code).toBe(3);
    const summary = jsonLines(stdout).at(-1)!;
    expect(summary).toMatchObject({ state: "rolled_back", finalSplit: [{ version: "v1", percent: 100 }] });
    expect(summary.reason).toMatch(/latency_p99 not worse than stable \+ 10% \(sequential test, alpha 0.005\): v2 \d+(\.\d+)? \(v1 \d+(\.\d+)?\)/);
    const [failed] = summary.failedSlos as { candidate: number; stable: number; evidence: { counted: string; candidate: { trials: number; events: number } } }[];
    expect(failed!.candidate).toBeGreaterThan(failed!.stable);
    expect(failed!.evidence.counted).toBe("slow_requests");
  });
});

/** The same demo against the in-process Cloudflare simulator: deployments, GraphQL metrics, overrides. */
describe("glidepath demo --platform cloudflare", () => {
  const demo = (scenario: string) => runCli(["demo", "--platform", "cloudflare", "--scenario", scenario, "--time-scale", "60", "--json"]);

  it("promotes a healthy candidate version to 100% and exits 0", { timeout: 120_000 }, async () => {
    const { code, stdout } = await demo("healthy");

    const summary = jsonLines(stdout).at(-1)!;
    expect(summary.reason).toBe("every stage passed");
    expect(summary).toMatchObject({ state: "succeeded", finalSplit: [{ version: summary.candidate, percent: 100 }] });
    expect(code).toBe(0);
  });

  it("rolls an error spike back to 100% stable and exits 3", { timeout: 120_000 }, async () => {
    const { code, stdout } = await demo("error-spike");

    const summary = jsonLines(stdout).at(-1)!;
    expect(summary).toMatchObject({ state: "rolled_back", finalSplit: [{ version: summary.stable, percent: 100 }] });
    expect(summary.reason).toMatch(/error_rate not worse than stable/);
    expect(code).toBe(3);
  });

  it("stops a broken candidate at preflight, before it serves any traffic, and exits 3", { timeout: 120_000 }, async () => {
    const { code, stdout } = await demo("broken");

    const events = jsonLines(stdout);
    expect(events.filter((event) => event.type === "stage_started")).toEqual([]);
    expect(events.at(-1)).toMatchObject({ state: "rolled_back", reason: expect.stringMatching(/^preflight failed/) });
    expect(code).toBe(3);
  });
});
