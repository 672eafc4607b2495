import type { Command } from "commander";
import { startSampleService, type Faults } from "../../demo/sample-service.js";
import { parseNumberFlag, parsePortFlag } from "../number-flag.js";
import { runCommand } from "../run-command.js";
import { onStopSignal } from "../stop-signal.js";

interface SampleServiceFlags {
  port: string;
  name: string;
  host: string;
  errorRate: string;
  latencyMs: string;
  latencyJitterMs: string;
}

export function registerSampleServiceCommand(program: Command): void {
  program
    .command("sample-service")
    .description("Run a small HTTP service with fault knobs, standing in for one version of a real service")
    .requiredOption("--port <port>", "port to listen on; 0 picks a free one")
    .requiredOption("--name <name>", "the version it stands for, answered in bodies and in the x-served-by header")
    .option("--host <host>", "address to listen on", "127.0.0.1")
    .option("--error-rate <rate>", "share of requests answered with a 500, from 0 to 1", "0")
    .option("--latency-ms <ms>", "delay added to every request", "0")
    .option("--latency-jitter-ms <ms>", "extra random delay, up to this many milliseconds", "0")
    .action(
      runCommand(async (flags: SampleServiceFlags) => {
        const port = parsePortFlag("--port", flags.port);
        const faults: Faults = {
          errorRate: parseNumberFlag("--error-rate", flags.errorRate, "a share from 0 to 1 (0.02 means 2%)", (n) => n >= 0 && n <= 1),
          latencyMs: parseNumberFlag("--latency-ms", flags.latencyMs, "a number of milliseconds >= 0", (n) => n >= 0),
          latencyJitterMs: parseNumberFlag("--latency-jitter-ms", flags.latencyJitterMs, "a number of milliseconds >= 0", (n) => n >= 0),
        };

        const service = await startSampleService({ host: flags.host, port, name: flags.name, ...faults });
        process.stdout.write(`sample-service ${flags.name} listening on ${service.url} (${describeFaults(faults)})\n`);

        await new Promise((resolve) => onStopSignal(resolve));
        await service.close();
      }),
    );
}

function describeFaults({ errorRate, latencyMs, latencyJitterMs }: Faults): string {
  const jitter = latencyJitterMs > 0 ? ` + up to ${latencyJitterMs}ms jitter` : "";
  return `error rate ${Number((errorRate * 100).toFixed(2))}%, latency ${latencyMs}ms${jitter}`;
}
