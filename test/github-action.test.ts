import { spawn } from "node:child_process";
import { once } from "node:events";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildAction } from "../action/build.js";
import { startCloudflareSimulator } from "../src/platforms/cloudflare/simulator/index.js";
import { ADMIN_TOKEN, startTestServer, type TestServer } from "../src/server/test-support.js";
import { startServiceUnderLoad, type ServiceUnderLoad } from "./support/service-under-load.js";

/**
 * The action's bundled entry run as GitHub runs it: `node index.js` with its inputs in INPUT_*
 * variables, its outputs read back from the GITHUB_OUTPUT file and its summary from
 * GITHUB_STEP_SUMMARY, against a real server with a service on the local platform.
 */
const LOOPBACK = { host: "127.0.0.1", port: 0 };
const TARGET = "shop";
const QUICK_PLAN = {
  name: "quick",
  stages: [{ percent: 20, soak: "2s" }, { percent: 100 }],
  slos: [{ sli: "error_rate", max: 0.05 }],
  policy: { checkInterval: "1s", failureThreshold: 1, minRequests: 20 },
};

let dir: string;
let entry: string;
let server: TestServer;
let service: ServiceUnderLoad;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "glidepath-action-"));
  entry = await buildAction(join(dir, "dist"));
  service = await startServiceUnderLoad();
  server = await startTestServer();
  const team = `/api/v1/teams/${server.team}`;
  for (const [path, json] of [
    [`${team}/connections`, { name: "proxy", platform: "local", adminUrl: service.adminUrl }],
    [`${team}/targets`, { name: TARGET, connection: "proxy" }],
    [`${team}/plans`, QUICK_PLAN],
  ] as const) {
    const response = await server.api(path, { json });
    if (!response.ok) throw new Error(`seeding ${path} failed: ${response.status} ${await response.text()}`);
  }
});

afterAll(async () => {
  await server?.close();
  await service?.close();
  rmSync(dir, { recursive: true, force: true });
});

interface StepRun {
  exitCode: number;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
}

let runs = 0;

interface StartedStep {
  /** Resolves once the step has printed a line with this text. */
  printed(text: string): Promise<void>;
  kill(signal: NodeJS.Signals): void;
  ended: Promise<StepRun>;
  /** Runs the action's post step after this one, as GitHub does: the same inputs, and the state this step saved as STATE_* variables. */
  post(): Promise<StepRun>;
}

/** Starts the bundled entry as a step with these inputs, in a fresh workflow run. */
function startStep(inputs: Record<string, string>): StartedStep {
  const step = join(dir, `step-${++runs}`);
  const runnerTemp = `${step}-temp`;
  mkdirSync(runnerTemp);
  const stateFile = `${step}-state`;
  writeFileSync(stateFile, "");
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    GITHUB_ACTIONS: "true",
    GITHUB_RUN_ID: String(runs),
    GITHUB_RUN_ATTEMPT: "1",
    GITHUB_JOB: "deploy",
    RUNNER_TEMP: runnerTemp,
    ...Object.fromEntries(Object.entries(inputs).map(([name, value]) => [`INPUT_${name.toUpperCase()}`, value])),
  };
  const run = (phase: string, stepEnv: NodeJS.ProcessEnv) => {
    const outputFile = `${step}-${phase}-output`;
    const summaryFile = `${step}-${phase}-summary`;
    writeFileSync(outputFile, "");
    writeFileSync(summaryFile, "");
    const child = spawn(process.execPath, [entry], {
      env: { ...stepEnv, GITHUB_OUTPUT: outputFile, GITHUB_STEP_SUMMARY: summaryFile },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    const waiters: { text: string; resolve: () => void }[] = [];
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      for (const waiter of waiters.filter(({ text }) => stdout.includes(text))) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    });
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const ended = new Promise<StepRun>((resolve) =>
      child.on("close", (code, signal) =>
        resolve({
          exitCode: code ?? (signal ? 128 : 1),
          stdout,
          stderr,
          outputs: readOutputs(readFileSync(outputFile, "utf8")),
          summary: readFileSync(summaryFile, "utf8"),
        }),
      ),
    );
    const printed = (text: string) =>
      stdout.includes(text)
        ? Promise.resolve()
        : new Promise<void>((resolve, reject) => {
            waiters.push({ text, resolve });
            void ended.then(({ stdout: all, stderr: errors }) => reject(new Error(`the step ended before printing "${text}":\n${all}${errors}`)));
          });
    return { child, ended, printed };
  };
  const main = run("main", { ...env, GITHUB_STATE: stateFile });
  return {
    printed: main.printed,
    kill: (signal) => main.child.kill(signal),
    ended: main.ended,
    post: () => {
      const state = Object.fromEntries(Object.entries(readOutputs(readFileSync(stateFile, "utf8"))).map(([name, value]) => [`STATE_${name}`, value]));
      return run("post", { ...env, ...state }).ended;
    },
  };
}

/** Runs the bundled entry as a step with these inputs, in a fresh workflow run. */
function runStep(inputs: Record<string, string>): Promise<StepRun> {
  return startStep(inputs).ended;
}

/**
 * A pass-through to the server that ends the first live event stream right after the first
 * chunk carrying an event id, as a proxy or load balancer closing an idle connection would.
 */
async function startStreamCutter(upstream: string): Promise<{ url: string; close(): void }> {
  let cut = false;
  const proxy: Server = createServer((incoming, outgoing) => {
    const forwarded = request(`${upstream}${incoming.url}`, { method: incoming.method, headers: incoming.headers }, (answer) => {
      outgoing.writeHead(answer.statusCode!, answer.headers);
      if (cut || !incoming.url!.endsWith("/events")) return void answer.pipe(outgoing);
      answer.on("data", (chunk: Buffer) => {
        if (outgoing.writableEnded) return;
        outgoing.write(chunk);
        if (!cut && /^id:/m.test(chunk.toString())) {
          cut = true;
          outgoing.end();
          answer.destroy();
        }
      });
    });
    incoming.pipe(forwarded);
  });
  proxy.listen(0, "127.0.0.1");
  await once(proxy, "listening");
  return {
    url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    close: () => {
      proxy.closeAllConnections();
      proxy.close();
    },
  };
}

/** The GITHUB_OUTPUT file: `name=value` lines or `name<<DELIMITER` ... `DELIMITER` blocks. */
function readOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const heredoc = /^([^=<]+)<<(.+)$/.exec(lines[i]!);
    if (heredoc) {
      const end = lines.indexOf(heredoc[2]!, i + 1);
      outputs[heredoc[1]!] = lines.slice(i + 1, end).join("\n");
      i = end;
    } else if (lines[i]!.includes("=")) {
      const [name, ...value] = lines[i]!.split("=");
      outputs[name!] = value.join("=");
    }
  }
  return outputs;
}

const serverInputs = (inputs: Record<string, string>) => ({
  "server-url": server.url,
  "api-token": ADMIN_TOKEN,
  team: server.team,
  target: TARGET,
  plan: "quick",
  ...inputs,
});

it("is committed as built from these sources (npm run build:action)", () => {
  expect(readFileSync(join(dir, "dist/index.js"), "utf8") === readFileSync("action/dist/index.js", "utf8"), "action/dist is stale: run npm run build:action").toBe(true);
});

/** The cases share one target and run in order: the stable version of each is what the one before left at 100%. */
describe("the GitHub Action against a Glidepath server", () => {
  it("creates a pending release and says where it is", async () => {
    const step = await runStep(serverInputs({ "version-id": "v2" }));
    expect(step.exitCode, step.stdout + step.stderr).toBe(0);
    expect(step.outputs.status).toBe("pending");
    expect(step.outputs["release-url"]).toBe(`${server.url}/releases/${step.outputs["release-id"]}`);
    const cancelled = await server.api(`/api/v1/teams/${server.team}/releases/${step.outputs["release-id"]}/cancel`, { method: "POST" });
    expect(cancelled.status).toBe(200);
  });

  it("starts the release, follows it to its promotion and writes the job summary", async () => {
    const step = await runStep(serverInputs({ "version-id": "v2", "auto-start": "true", wait: "true", "ticket-url": "https://tickets.example.com/OPS-1" }));
    expect(step.exitCode, step.stdout + step.stderr).toBe(0);
    expect(step.outputs.status).toBe("succeeded");
    expect(step.stdout).toMatch(/stage 1: 20% of traffic to the candidate/);
    expect(step.stdout).toMatch(/check in stage 1: pass/);
    expect(step.summary).toContain("✅ promoted");
    expect(step.summary).toMatch(/\| 1 \| 20% \| 2s \| \d+ \| passed \|/);
    expect(step.summary).toMatch(/\| 2 \| 100% \| 0s \| \d+ \| passed \|/);
    expect(step.summary).toContain("https://tickets.example.com/OPS-1");
    const stored = await server.api(`/api/v1/teams/${server.team}/releases/${step.outputs["release-id"]}`);
    expect(await stored.json()).toMatchObject({ ticketUrl: "https://tickets.example.com/OPS-1" });
  });

  it("fails the step when the release rolls back, naming the SLO", async () => {
    const step = await runStep(serverInputs({ "version-id": "v3", "auto-start": "true", wait: "true" }));
    expect(step.exitCode).not.toBe(0);
    expect(step.outputs.status).toBe("rolled_back");
    expect(step.stdout).toMatch(/^::error::release .* rolled back: .*error_rate/m);
    expect(step.summary).toContain("❌ rolled back");
    expect(step.summary).toMatch(/\| 1 \| 20% \| 2s \| \d+ \| failed \|/);
    expect(step.summary).toMatch(/- error_rate \\<= 0\.05 \(candidate 0\.\d+\)/);
  });

  it("says the token was refused, and never prints it but to mask it", async () => {
    const token = "gp_wrong_token_that_must_not_leak_42";
    const step = await runStep(serverInputs({ "version-id": "v2", "api-token": token }));
    expect(step.exitCode).toBe(1);
    expect(step.stdout).toMatch(/^::error::the Glidepath server at .* refused the API token/m);
    const [first, ...rest] = step.stdout.split("\n");
    expect(first).toBe(`::add-mask::${token}`);
    expect(rest.join("\n") + step.stderr).not.toContain(token);
  });

  it("resumes the live events after the stream drops, telling each event once", async () => {
    const cutter = await startStreamCutter(server.url);
    try {
      const step = await runStep(serverInputs({ "server-url": cutter.url, "version-id": "v1", "auto-start": "true", wait: "true" }));
      expect(step.exitCode, step.stdout + step.stderr).toBe(0);
      expect(step.outputs.status).toBe("succeeded");
      expect(step.stdout).toMatch(/^::warning::reconnecting to the release's events: the event stream closed before the release ended/m);
      expect(step.stdout.match(/^started: /gm)).toHaveLength(1);
      expect(step.stdout.match(/^stage 1: /gm)).toHaveLength(1);
      expect(step.stdout.match(/^promoted: /gm)).toHaveLength(1);
    } finally {
      cutter.close();
    }
  });

  it("fails the step when the release outlasts wait-timeout, and leaves it running", async () => {
    const step = await runStep(serverInputs({ "version-id": "v2", "auto-start": "true", wait: "true", "wait-timeout": "1" }));
    expect(step.exitCode).toBe(1);
    expect(step.outputs.status).toBe("running");
    expect(step.stdout).toMatch(/^::error::release .* did not end within wait-timeout \(1s\); it is running/m);
    const cancelled = await server.api(`/api/v1/teams/${server.team}/releases/${step.outputs["release-id"]}/cancel`, { method: "POST" });
    expect(cancelled.status).toBe(200);
  });

  it("passes on the server's message for an unknown target or version", async () => {
    const unknownTarget = await runStep(serverInputs({ "version-id": "v2", target: "nowhere" }));
    expect(unknownTarget.exitCode).toBe(1);
    expect(unknownTarget.stdout).toMatch(/^::error::the Glidepath server refused the request \(400: no target named "nowhere"/m);
    const unknownVersion = await runStep(serverInputs({ "version-id": "v9" }));
    expect(unknownVersion.exitCode).toBe(1);
    expect(unknownVersion.stdout).toMatch(/^::error::.*unknown version "v9"/m);
  });

  it("names the URL of a server it cannot reach", async () => {
    const step = await runStep(serverInputs({ "version-id": "v2", "server-url": "http://127.0.0.1:9" }));
    expect(step.exitCode).toBe(1);
    expect(step.stdout).toMatch(/^::error::the Glidepath server at http:\/\/127\.0\.0\.1:9 could not be reached/m);
  });
});

describe("the GitHub Action in standalone mode", () => {
  const token = "cf-test-token";
  let sim: Awaited<ReturnType<typeof startCloudflareSimulator>>;

  beforeAll(async () => {
    sim = await startCloudflareSimulator({ ...LOOPBACK, token });
  });

  afterAll(async () => {
    await sim?.close();
  });

  /** A Worker of two healthy versions on the simulator, and the step's inputs to roll the second out with this plan. */
  function standaloneStep(script: string, plan: object) {
    const healthy = { errorRate: 0, latencyMs: { p50: 30, p99: 50 } };
    const { accountId, versionIds } = sim.control.createScript({ script, rps: 2000, versions: [{ behaviour: healthy }, { behaviour: healthy }] });
    const planFile = join(dir, `${script}-plan.json`);
    writeFileSync(planFile, JSON.stringify(plan));
    const inputs = {
      mode: "standalone",
      "cloudflare-account-id": accountId,
      "cloudflare-api-token": token,
      "cloudflare-api-base-url": sim.url,
      "cloudflare-metrics-lag": "0s",
      worker: script,
      "version-id": versionIds[1]!,
      plan: planFile,
    };
    return { inputs, stable: versionIds[0]!, candidate: versionIds[1]! };
  }

  it("rolls a Worker out on the Cloudflare simulator inside the step; its post step then has nothing to undo", async () => {
    const { inputs, candidate } = standaloneStep("api", QUICK_PLAN);
    const started = startStep(inputs);
    const step = await started.ended;
    expect(step.exitCode, step.stdout + step.stderr).toBe(0);
    expect(step.outputs.status).toBe("succeeded");
    expect(step.outputs["release-id"]).not.toBe("");
    expect(step.stdout).toMatch(/check in stage 1: pass/);
    expect(step.stdout.split("\n").slice(1).join("\n")).not.toContain(token);
    expect(step.summary).toContain("✅ promoted");
    expect(sim.control.deploymentHistory("api").at(-1)?.split).toEqual([{ version_id: candidate, percentage: 100 }]);
    const deployments = sim.control.deploymentHistory("api").length;

    const post = await started.post();

    expect(post.exitCode, post.stdout + post.stderr).toBe(0);
    expect(post.stdout).toMatch(/release api-to-\S+ ended in the rollout step; nothing to undo/);
    expect(sim.control.deploymentHistory("api")).toHaveLength(deployments);
  });

  it("puts 100% back on stable in its post step when the rollout step was killed midway", async () => {
    const waiting = { ...QUICK_PLAN, stages: [{ percent: 20, soak: "1s", progression: "manual" }, { percent: 100 }] };
    const { inputs, stable, candidate } = standaloneStep("checkout", waiting);
    const started = startStep(inputs);
    await started.printed("stage 1 passed its soak");
    expect(sim.control.deploymentHistory("checkout").at(-1)?.split).toEqual(
      expect.arrayContaining([{ version_id: candidate, percentage: 20 }]),
    );
    // What the runner does last to a step it cannot stop otherwise: nothing in the step can act on it.
    started.kill("SIGKILL");
    await started.ended;

    const post = await started.post();

    expect(post.exitCode, post.stdout + post.stderr).toBe(0);
    // Workflow commands escape % as %25; GitHub shows it as %.
    expect(post.stdout).toMatch(/^::warning::release checkout-to-\S+ was still awaiting approval when the rollout step stopped; cancelling it, which puts 100%25 of traffic back on /m);
    expect(post.outputs.status).toBe("cancelled");
    expect(sim.control.deploymentHistory("checkout").at(-1)?.split).toEqual([{ version_id: stable, percentage: 100 }]);
  });
});
