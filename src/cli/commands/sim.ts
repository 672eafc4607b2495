import type { Command } from "commander";
import { type OutcomeRates, startCloudflareSimulator } from "../../platforms/cloudflare/simulator/index.js";
import { UsageError } from "../exit-codes.js";
import { parseNumberFlag, parsePortFlag } from "../number-flag.js";
import { parseOutcomeRatesFlag } from "../outcome-rates-flag.js";
import { runCommand } from "../run-command.js";
import { onStopSignal } from "../stop-signal.js";

interface SimCloudflareFlags {
  port: string;
  host: string;
  token?: string;
  script: string;
  rps: string;
  candidateErrorRate: string;
  stableOutcomes?: string;
  candidateOutcomes?: string;
  lagSeconds: string;
  retentionSeconds: string;
  sampleInterval: string;
}

export function registerSimCommand(program: Command): void {
  const sim = program.command("sim").description("Run a simulator of a platform's API, to rehearse rollouts without touching the real one");
  sim
    .command("cloudflare")
    .description("Simulate the Cloudflare API Glidepath uses (versions, deployments, GraphQL Analytics, Workers Observability) with live traffic")
    .option("--port <port>", "port to listen on; 0 picks a free one", "8787")
    .option("--host <host>", "address to listen on", "127.0.0.1")
    .option("--token <token>", "require Authorization: Bearer <token> on the API (by default any token, or none, is accepted)")
    .option("--script <name>", "the Worker to create", "my-worker")
    .option("--rps <rps>", "requests per second reaching the Worker", "200")
    .option("--candidate-error-rate <rate>", "share of the candidate version's requests that fail, from 0 to 1", "0.001")
    .option("--stable-outcomes <rates>", "shares of the stable version's requests that end with these outcomes, e.g. responseStreamDisconnected=0.05,exceededMemory=0.01")
    .option("--candidate-outcomes <rates>", "the same for the candidate version")
    .option("--lag-seconds <seconds>", "how far behind the metrics are: the newest seconds stay invisible to queries", "0")
    .option("--retention-seconds <seconds>", "how long traffic is kept for metrics queries; GraphQL refuses a range starting earlier", "3600")
    .option("--sample-interval <n>", "record one request in n, as Cloudflare's sampling does (1 records all)", "1")
    .action(
      runCommand(async (flags: SimCloudflareFlags) => {
        const port = parsePortFlag("--port", flags.port);
        const rps = parseNumberFlag("--rps", flags.rps, "a number of requests per second >= 0", (n) => n >= 0);
        const candidateErrorRate = parseNumberFlag(
          "--candidate-error-rate",
          flags.candidateErrorRate,
          "a share from 0 to 1 (0.05 means 5%)",
          (n) => n >= 0 && n <= 1,
        );
        const stableOutcomes = flags.stableOutcomes === undefined ? {} : parseOutcomeRatesFlag("--stable-outcomes", flags.stableOutcomes);
        const candidateOutcomes = flags.candidateOutcomes === undefined ? {} : parseOutcomeRatesFlag("--candidate-outcomes", flags.candidateOutcomes);
        const lagSeconds = parseNumberFlag("--lag-seconds", flags.lagSeconds, "a number of seconds >= 0", (n) => n >= 0);
        const retentionSeconds = parseNumberFlag("--retention-seconds", flags.retentionSeconds, "a number of seconds > 0", (n) => n > 0);
        const sampleInterval = parseNumberFlag("--sample-interval", flags.sampleInterval, "a number >= 1", (n) => n >= 1);
        if (flags.token === "") throw new UsageError("--token must not be empty; leave it out to accept any token");

        const simulator = await startCloudflareSimulator({
          host: flags.host,
          port,
          lagSeconds,
          retentionSeconds,
          sampleInterval,
          ...(flags.token === undefined ? {} : { token: flags.token }),
        });
        try {
          const created = simulator.control.createScript({
            script: flags.script,
            rps,
            versions: [
              { message: "stable", behaviour: { outcomeRates: stableOutcomes } },
              { message: "candidate", behaviour: { errorRate: candidateErrorRate, outcomeRates: candidateOutcomes } },
            ],
          });
          const [stable, candidate] = created.versionIds;
          process.stdout.write(
            [
              `glidepath sim cloudflare: API on ${simulator.url}, control API on ${simulator.controlUrl}`,
              `  account   ${created.accountId}`,
              `  worker    ${created.script} (${rps} requests per second)`,
              `  stable    ${stable} (serving 100%${outcomesNote(stableOutcomes)})`,
              `  candidate ${candidate} (uploaded, not deployed; error rate ${candidateErrorRate}${outcomesNote(candidateOutcomes)})`,
              "try:",
              `  CLOUDFLARE_API_TOKEN=${flags.token ?? "anything"} glidepath rollout --platform cloudflare --api-base-url ${simulator.url} \\`,
              `    --account-id ${created.accountId} --worker ${created.script} --candidate-version ${candidate} --stages 10,50,100 --soak 1m`,
              "",
            ].join("\n"),
          );
        } catch (error) {
          await simulator.close();
          throw new UsageError(error instanceof Error ? error.message : String(error));
        }

        const signal = await new Promise<NodeJS.Signals>((resolve) => onStopSignal(resolve));
        process.stdout.write(`${signal}: stopping the simulator\n`);
        await simulator.close();
      }),
    );
}

function outcomesNote(rates: OutcomeRates): string {
  const entries = Object.entries(rates);
  return entries.length === 0 ? "" : `; outcomes ${entries.map(([outcome, rate]) => `${outcome}=${rate}`).join(",")}`;
}
