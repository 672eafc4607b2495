import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Option, type Command } from "commander";
import pc from "picocolors";
import { BUILTIN_PLANS } from "../../core/builtin-plans.js";
import { compressPlanTime, type Plan } from "../../core/plan.js";
import { runLoad } from "../../demo/load-generator.js";
import { startSampleService, type Faults } from "../../demo/sample-service.js";
import { startCloudflareSimulator } from "../../platforms/cloudflare/simulator/index.js";
import { startProxy } from "../../platforms/local/proxy.js";
import { PLATFORMS } from "../../platforms/registry.js";
import type { DemoServerAddress } from "../demo/demo-server.js";
import { runDemoOnServer, type DemoOutput } from "../demo/run-on-server.js";
import { parseNumberFlag, parsePortFlag } from "../number-flag.js";
import { runCommand } from "../run-command.js";

const HEALTHY: Faults = { errorRate: 0, latencyMs: 30, latencyJitterMs: 20 };

interface Scenario {
  /** How the candidate behaves; the stable version is always healthy. */
  candidate: Faults;
  story: string;
  /** Probe the candidate before it gets traffic. */
  preflight?: boolean;
}

const SCENARIOS: Record<string, Scenario> = {
  healthy: { candidate: HEALTHY, story: "v2 behaves like v1, so every stage passes and v2 is promoted" },
  "error-spike": {
    candidate: { ...HEALTHY, errorRate: 0.2 },
    story: "v2 fails 20% of requests, so the error-rate SLO fails and Glidepath rolls back to v1",
  },
  "latency-regression": {
    candidate: { errorRate: 0, latencyMs: 150, latencyJitterMs: 50 },
    story: "v2 is five times slower, so the p99 latency SLO fails and Glidepath rolls back to v1",
  },
  broken: {
    candidate: { ...HEALTHY, errorRate: 1 },
    story: "v2 fails every request, so its preflight probe fails and it never gets traffic",
    preflight: true,
  },
};

interface DemoFlags {
  platform: (typeof PLATFORMS)[number];
  scenario: string;
  timeScale: string;
  rps: string;
  port?: string;
  host: string;
  json?: boolean;
  exit?: boolean;
}

export function registerDemoCommand(program: Command) {
  program
    .command("demo")
    .description(
      "Roll v2 of a sample service out over v1 under load with the standard plan, on the embedded proxy or a simulated Cloudflare, " +
        "through an in-process server whose dashboard shows the release.",
    )
    .addOption(new Option("--platform <platform>", "the built-in proxy, or an in-process Cloudflare simulator").choices(PLATFORMS).default("local"))
    .addOption(new Option("--scenario <name>", "how v2 behaves").choices(Object.keys(SCENARIOS)).default("healthy"))
    .option("--time-scale <n>", "run the plan this many times faster than real time (60: the 45-minute plan in 45s)", "60")
    // The load, proxy, both versions and the server share one process: at 1,000 requests a second a
    // 2-core machine's latencies were the machine's, not the versions'. README says what was measured.
    .option("--rps <n>", "requests per second of load", "300")
    .option("--port <port>", "port of the dashboard and API (default: 8080, or any free port when 8080 is taken; 0: any free port)")
    .option("--host <host>", "address of the dashboard and API; 0.0.0.0 for every interface", "127.0.0.1")
    .option("--json", "print one JSON line per event and a summary object last")
    .option("--exit", "end when the release ends, instead of keeping the dashboard up on a terminal")
    .addHelpText("after", "\nExit codes: 0 promoted, 1 internal error, 2 bad input, 3 rolled back, 4 cancelled.")
    .action(
      runCommand(async (flags: DemoFlags) => {
        const timeScale = parseNumberFlag("--time-scale", flags.timeScale, "a number of 1 or more", (n) => n >= 1);
        const rps = parseNumberFlag("--rps", flags.rps, "a number above 0", (n) => n > 0);
        const scenario = SCENARIOS[flags.scenario]!;
        const demo: DemoRun = {
          scenario,
          timeScale,
          rps,
          address: { host: flags.host, port: flags.port === undefined ? undefined : parsePortFlag("--port", flags.port) },
          output: {
            mode: flags.json ? "json" : process.stdout.isTTY ? "tty" : "plain",
            stayUp: process.stdout.isTTY && !flags.exit,
            timeScale,
          },
          say: flags.json ? () => {} : (line: string) => process.stdout.write(`${pc.dim(line)}\n`),
        };
        return flags.platform === "cloudflare" ? demoOnCloudflare(demo) : demoOnProxy(demo);
      }),
    );
}

interface DemoRun {
  scenario: Scenario;
  timeScale: number;
  rps: number;
  address: DemoServerAddress;
  output: DemoOutput;
  say: (line: string) => void;
}

const LOOPBACK = { host: "127.0.0.1", port: 0 };

/** The standard plan at the demo's time scale, probing the candidate first when the scenario asks. */
function demoPlan({ scenario, timeScale }: DemoRun, probeUrl: string): Plan {
  const plan = compressPlanTime(BUILTIN_PLANS.standard!, timeScale);
  return scenario.preflight ? { ...plan, preflight: [{ url: probeUrl, expectStatus: 200, timeoutSeconds: 5 }] } : plan;
}

async function demoOnProxy(demo: DemoRun): Promise<number> {
  const stateDir = mkdtempSync(join(tmpdir(), "glidepath-demo-"));
  const v1 = await startSampleService({ ...LOOPBACK, name: "v1", ...HEALTHY });
  const v2 = await startSampleService({ ...LOOPBACK, name: "v2", ...demo.scenario.candidate });
  const proxy = await startProxy({
    listen: LOOPBACK,
    admin: LOOPBACK,
    upstreams: new Map([
      ["v1", v1.url],
      ["v2", v2.url],
    ]),
    stateFile: join(stateDir, "split.json"),
    log: () => {},
  });
  const proxyUrl = `http://${proxy.proxyAddress.host}:${proxy.proxyAddress.port}`;
  const adminUrl = `http://${proxy.adminAddress.host}:${proxy.adminAddress.port}`;
  const stopLoad = new AbortController();
  const load = runLoad({ url: proxyUrl, rps: demo.rps, signal: stopLoad.signal });
  try {
    demo.say(`sample service v1 at ${v1.url}, v2 at ${v2.url}; ${demo.scenario.story}`);
    demo.say(`proxy at ${proxyUrl} (admin ${adminUrl}), load ${demo.rps} requests/s`);
    demo.say(`plan standard at time scale ${demo.timeScale}: each 15m soak lasts ${(15 * 60) / demo.timeScale}s`);
    const release = {
      connection: { platform: "local", adminUrl },
      targetSettings: {},
      stable: "v1",
      candidate: "v2",
      plan: demoPlan(demo, `${proxyUrl}/`),
    };
    return await runDemoOnServer(release, demo.address, demo.output);
  } finally {
    stopLoad.abort();
    await load;
    await proxy.close();
    await Promise.all([v1.close(), v2.close()]);
    rmSync(stateDir, { recursive: true, force: true });
  }
}

async function demoOnCloudflare(demo: DemoRun): Promise<number> {
  const token = "glidepath-demo-token";
  // Cloudflare's metrics arrive about a minute late; the demo keeps that lag at its time scale, in the whole seconds a target takes.
  const lagSeconds = Math.max(1, Math.round(60 / demo.timeScale));
  const sim = await startCloudflareSimulator({ ...LOOPBACK, token, lagSeconds });
  try {
    const { candidate } = demo.scenario;
    const worker = "demo-worker";
    const { accountId, versionIds } = sim.control.createScript({
      script: worker,
      rps: demo.rps,
      versions: [
        { behaviour: asBehaviour(HEALTHY), message: "v1" },
        { behaviour: asBehaviour(candidate), message: "v2" },
      ],
    });
    const [stable, next] = versionIds as [string, string];
    demo.say(`simulated Cloudflare API at ${sim.url}: Worker ${worker}, stable ${stable}, candidate ${next}`);
    demo.say(`${demo.scenario.story}; ${demo.rps} simulated requests/s, metrics ${lagSeconds}s late`);
    demo.say(`plan standard at time scale ${demo.timeScale}: each 15m soak lasts ${(15 * 60) / demo.timeScale}s`);
    const release = {
      connection: { platform: "cloudflare", accountId, apiToken: token, apiBaseUrl: sim.url },
      targetSettings: { worker, metrics: "graphql", lagSeconds },
      stable,
      candidate: next,
      plan: demoPlan(demo, `${sim.controlUrl}/workers/${worker}/`),
    };
    return await runDemoOnServer(release, demo.address, demo.output);
  } finally {
    await sim.close();
  }
}

/** The sample service's knobs as a simulated Worker version's behaviour: uniform jitter on a base latency. */
function asBehaviour({ errorRate, latencyMs, latencyJitterMs }: Faults) {
  return { errorRate, latencyMs: { p50: latencyMs + latencyJitterMs / 2, p99: latencyMs + latencyJitterMs * 0.99 } };
}
