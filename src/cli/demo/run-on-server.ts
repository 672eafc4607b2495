import pc from "picocolors";
import { systemClock } from "../../support/clock.js";
import { followRelease } from "../rollout/follow-release.js";
import { createReporter } from "../rollout/reporters.js";
import { onStopSignal } from "../stop-signal.js";
import { createDemoRelease, type DemoRelease } from "./demo-api.js";
import { startDemoServer, type DemoServerAddress } from "./demo-server.js";

export interface DemoOutput {
  mode: "json" | "tty" | "plain";
  /** After the release, keep the server up for the dashboard until Ctrl-C. */
  stayUp: boolean;
  /** How many times faster than real time the plan runs. */
  timeScale: number;
}

/**
 * Runs the demo's release on an in-process Glidepath server, so the dashboard shows it, and
 * reports it on the terminal as `glidepath rollout` would. Returns the release's exit code.
 */
export async function runDemoOnServer(release: DemoRelease, address: DemoServerAddress, output: DemoOutput): Promise<number> {
  const reporter = createReporter(output.mode, systemClock.now, { timeScale: output.timeScale });
  // The server's own notices, retries among them, are the demo's notices.
  const demo = await startDemoServer(address, (line) => reporter.notice(line));
  try {
    const { server, admin } = demo;
    const { services } = server;
    if (output.mode === "json") {
      process.stdout.write(`${JSON.stringify({ type: "dashboard", url: server.url, ...admin })}\n`);
    } else {
      process.stdout.write(`${pc.bold("dashboard:")} ${server.url}  (sign in as ${admin.email}, password ${admin.password})\n`);
    }
    const exitCode = await followRelease({
      engine: services.engine,
      store: services.releases,
      reporter,
      driver: { kind: "scheduler", nudge: services.nudge },
      platform: (followed) => services.platforms(followed),
      open: async () => {
        const id = await createDemoRelease(server.url, demo.apiToken, release);
        return { release: (await services.releases.get(id))!.release, resumed: false };
      },
    });
    if (output.stayUp) {
      const line = `the dashboard stays up at ${server.url}; press Ctrl-C to stop`;
      if (output.mode === "json") process.stderr.write(`${line}\n`);
      else process.stdout.write(`${pc.dim(line)}\n`);
      await new Promise((resolve) => onStopSignal(resolve));
    }
    return exitCode;
  } finally {
    await demo.close();
  }
}
