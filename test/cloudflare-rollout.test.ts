import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { request } from "undici";
import { afterEach, describe, expect, it } from "vitest";
import { jsonLines, killStartedCommands, runCli, startCli, type CliProcess } from "./support/cli.js";
import { quickPlan } from "./support/quick-plan.js";

/** `glidepath rollout --platform cloudflare` against `glidepath sim cloudflare`, each a real process. */
const PLAN = quickPlan(50);

interface Simulated {
  sim: CliProcess;
  dir: string;
  planFile: string;
  api: string;
  control: string;
  account: string;
  worker: string;
  stable: string;
  candidate: string;
}

let running: Simulated | undefined;

afterEach(async () => {
  // The simulator, and whatever a test that failed midway left running.
  killStartedCommands();
  if (!running) return;
  await running.sim.exited;
  rmSync(running.dir, { recursive: true, force: true });
  running = undefined;
});

async function simulate(candidateErrorRate: number): Promise<Simulated> {
  const sim = startCli(["sim", "cloudflare", "--port", "0", "--token", "test-token", "--rps", "2000", "--candidate-error-rate", String(candidateErrorRate)]);
  const field = async (name: string) => (await sim.waitForLine((line) => line.trimStart().startsWith(`${name} `))).trim().split(/\s+/)[1]!;
  const banner = await sim.waitForLine((line) => line.includes("control API on"));
  const [api, control] = [...banner.matchAll(/http:\/\/[\d.:]+\/(?:client\/v4|__sim)/g)].map((match) => match[0]);
  const dir = mkdtempSync(join(tmpdir(), "glidepath-cf-"));
  const planFile = join(dir, "plan.yaml");
  writeFileSync(planFile, PLAN);
  running = {
    sim,
    dir,
    planFile,
    api: api!,
    control: control!,
    account: await field("account"),
    worker: await field("worker"),
    stable: await field("stable"),
    candidate: await field("candidate"),
  };
  return running;
}

const rolloutArgs = (s: Simulated) => [
  "rollout",
  "--platform",
  "cloudflare",
  "--api-base-url",
  s.api,
  "--account-id",
  s.account,
  "--worker",
  s.worker,
  "--candidate-version",
  s.candidate,
  "--metrics-lag",
  "0s",
  "--plan",
  s.planFile,
  "--data-dir",
  join(s.dir, "data"),
  "--json",
];

const token = { CLOUDFLARE_API_TOKEN: "test-token" };

async function history(s: Simulated): Promise<{ source: string; split: { version_id: string; percentage: number }[] }[]> {
  const response = await request(`${s.control}/scripts/${s.worker}/deployments/history`);
  return ((await response.body.json()) as { deployments: never[] }).deployments;
}

describe("glidepath rollout --platform cloudflare", () => {
  it("promotes a healthy candidate version through rate limits, writing a message on every deployment", async () => {
    const s = await simulate(0.001);
    await request(`${s.control}/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ status: 429, count: 2, retryAfterSeconds: 1 }),
    });

    const { code, stdout } = await runCli(rolloutArgs(s), token);

    expect(code).toBe(0);
    expect(jsonLines(stdout).at(-1)).toMatchObject({ state: "succeeded", finalSplit: [{ version: s.candidate, percent: 100 }] });
    const deployments = (await history(s)).slice(1);
    expect(deployments.map((deployment) => deployment.split.map((entry) => entry.percentage))).toEqual([[90, 10], [50, 50], [100]]);
    expect(deployments.every((deployment) => deployment.source === "api")).toBe(true);
  });

  it("rolls back a failing candidate, exit 3, and the deployment history ends at 100% stable", async () => {
    const s = await simulate(0.3);

    const { code, stdout } = await runCli(rolloutArgs(s), token);

    expect(code).toBe(3);
    expect(jsonLines(stdout).at(-1)?.reason).toMatch(/error_rate <= 0.05/);
    expect((await history(s)).at(-1)?.split).toEqual([{ version_id: s.stable, percentage: 100 }]);
  });

  it("fails a preflight probe without ever giving the candidate traffic, exit 3", async () => {
    const s = await simulate(1);
    writeFileSync(s.planFile, `${PLAN}preflight:\n  - { url: "${s.control}/workers/${s.worker}/health" }\n`);

    const { code, stdout } = await runCli(rolloutArgs(s), token);

    expect(code).toBe(3);
    expect(jsonLines(stdout).find((line) => line.type === "preflight_completed")).toMatchObject({ passed: false, results: [{ status: 500 }] });
    const candidateShares = (await history(s)).flatMap((deployment) =>
      deployment.split.filter((entry) => entry.version_id === s.candidate).map((entry) => entry.percentage),
    );
    expect(candidateShares).toEqual([0]);
  });

  it("pauses with drift_detected when someone deploys behind its back", async () => {
    const s = await simulate(0.001);
    const rollout = startCli(rolloutArgs(s), { env: token, stdin: "pipe" });
    await rollout.waitForLine((line) => line.includes('"type":"split_applied"'));

    await request(`${s.control}/scripts/${s.worker}/deployments`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ versions: [{ version_id: s.stable, percentage: 100 }], message: "hotfix by hand" }),
    });
    const drift = JSON.parse(await rollout.waitForLine((line) => line.includes('"type":"drift_detected"')));
    expect(drift.expected).toEqual(
      expect.arrayContaining([
        { version: s.stable, percent: 90 },
        { version: s.candidate, percent: 10 },
      ]),
    );
    expect(drift.actual).toEqual([{ version: s.stable, percent: 100 }]);
    await rollout.waitForLine((line) => line.includes('"type":"paused"'));

    rollout.child.stdin!.write("resume\n");
    const { code } = await rollout.exited;
    expect(code).toBe(0);
  });

  it("explains a bad API token without a stack trace, before any traffic moves, exit 2", async () => {
    const s = await simulate(0.001);

    const { code, stderr } = await runCli(rolloutArgs(s), { CLOUDFLARE_API_TOKEN: "wrong" });

    expect(code).toBe(2);
    expect(stderr).toMatch(/Cloudflare refused the API token/);
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(await history(s)).toHaveLength(1);
  });

  it("refuses a Worker that does not exist, saying which flags to check, exit 2", async () => {
    const s = await simulate(0.001);
    const args = rolloutArgs(s);
    args[args.indexOf("--worker") + 1] = "nope";

    const { code, stderr } = await runCli(args, token);

    expect(code).toBe(2);
    expect(stderr).toBe(`glidepath: no Worker named nope in account ${s.account}: check --worker and --account-id`);
    expect(await history(s)).toHaveLength(1);
  });
});
