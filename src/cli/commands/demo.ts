import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Option, type Command } from "commander";
import pc from "picocolors";
import { BUILTIN_PLANS } from "../../core/builtin-plans.js";
import { compressPlanTime } from "../../core/plan.js";
import { runLoad } from "../../demo/load-generator.js";
import { startSampleService, type Faults, type SampleService } from "../../demo/sample-service.js";
import { startProxy } from "../../platforms/local/proxy.js";
import { parseNumberFlag } from "../number-flag.js";
import { runRollout } from "../rollout/run-rollout.js";
import { runCommand } from "../run-command.js";

const HEALTHY: Faults = { errorRate: 0, latencyMs: 30, latencyJitterMs: 20 };

/** How the candidate behaves in each demo scenario; the stable version is always healthy. */
const SCENARIOS: Record<string, { candidate: Faults; story: string }> = {
  healthy: { candidate: HEALTHY, story: "v2 behaves like v1, so every stage passes and v2 is promoted" },
  "error-spike": {
    candidate: { ...HEALTHY, errorRate: 0.2 },
    story: "v2 fails 20% of requests, so the error-rate SLO fails and Glidepath rolls back to v1",
  },
  "latency-regression": {
    candidate: { errorRate: 0, latencyMs: 150, latencyJitterMs: 50 },
    story: "v2 is five times slower, so the p99 latency SLO fails and Glidepath rolls back to v1",
  },
};

interface DemoFlags {
  scenario: string;
  timeScale: string;
  rps: string;
  json?: boolean;
}

export function registerDemoCommand(program: Command) {
  program
    .command("demo")
    .description("Roll v2 of a sample service out over v1 behind the built-in proxy, under load, with the standard plan.")
    .addOption(new Option("--scenario <name>", "how v2 behaves").choices(Object.keys(SCENARIOS)).default("healthy"))
    .option("--time-scale <n>", "run the plan this many times faster than real time (60: the 45-minute plan in 45s)", "60")
    .option("--rps <n>", "requests per second of load", "1000")
    .option("--json", "print one JSON line per event and a summary object last")
    .addHelpText("after", "\nExit codes: 0 promoted, 1 internal error, 2 bad input, 3 rolled back, 4 cancelled.")
    .action(
      runCommand(async (flags: DemoFlags) => {
        const timeScale = parseNumberFlag("--time-scale", flags.timeScale, "a number of 1 or more", (n) => n >= 1);
        const rps = parseNumberFlag("--rps", flags.rps, "a number above 0", (n) => n > 0);
        const scenario = SCENARIOS[flags.scenario]!;
        const say = flags.json ? () => {} : (line: string) => process.stdout.write(`${pc.dim(line)}\n`);
        return runDemo({ scenario, timeScale, rps, json: flags.json === true, say });
      }),
    );
}

interface DemoRun {
  scenario: (typeof SCENARIOS)[string];
  timeScale: number;
  rps: number;
  json: boolean;
  say: (line: string) => void;
}

async function runDemo({ scenario, timeScale, rps, json, say }: DemoRun): Promise<number> {
  const stateDir = mkdtempSync(join(tmpdir(), "glidepath-demo-"));
  const services: SampleService[] = [];
  const loopback = { host: "127.0.0.1", port: 0 };
  const stopLoad = new AbortController();
  try {
    services.push(await startSampleService({ ...loopback, name: "v1", ...HEALTHY }));
    services.push(await startSampleService({ ...loopback, name: "v2", ...scenario.candidate }));
    const [v1, v2] = services;
    const proxy = await startProxy({
      listen: loopback,
      admin: loopback,
      upstreams: new Map([
        ["v1", v1!.url],
        ["v2", v2!.url],
      ]),
      stateFile: join(stateDir, "split.json"),
      log: () => {},
    });
    const proxyUrl = `http://${proxy.proxyAddress.host}:${proxy.proxyAddress.port}`;
    const adminUrl = `http://${proxy.adminAddress.host}:${proxy.adminAddress.port}`;
    try {
      say(`sample service v1 at ${v1!.url}, v2 at ${v2!.url}; ${scenario.story}`);
      say(`proxy at ${proxyUrl} (admin ${adminUrl}), load ${rps} requests/s`);
      say(`plan standard at time scale ${timeScale}: each 15m soak lasts ${(15 * 60) / timeScale}s`);
      const load = runLoad({ url: proxyUrl, rps, signal: stopLoad.signal });
      const exitCode = await runRollout({
        target: { platform: "local", config: { proxyAdmin: adminUrl } },
        secrets: {},
        stable: "v1",
        candidate: "v2",
        plan: compressPlanTime(BUILTIN_PLANS.standard!, timeScale),
        name: "demo",
        output: json ? "json" : process.stdout.isTTY ? "tty" : "plain",
      });
      stopLoad.abort();
      await load;
      return exitCode;
    } finally {
      stopLoad.abort();
      await proxy.close();
    }
  } finally {
    await Promise.all(services.map((service) => service.close()));
    rmSync(stateDir, { recursive: true, force: true });
  }
}
