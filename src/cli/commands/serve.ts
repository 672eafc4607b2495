import { type Command, Option } from "commander";
import { parseDuration } from "../../core/duration.js";
import { serve } from "../../server/serve.js";
import { parsePortFlag } from "../number-flag.js";
import { runCommand } from "../run-command.js";
import { onStopSignal } from "../stop-signal.js";
import { UsageError } from "../exit-codes.js";

interface ServeFlags {
  port: string;
  host: string;
  dataDir: string;
  publicUrl?: string;
  lease: string;
}

export function registerServeCommand(program: Command): void {
  program
    .command("serve")
    .description("Run the Glidepath server: the API, the dashboard, and the engine driving every team's releases")
    .option("--port <port>", "port for the API and dashboard", "8080")
    .option("--host <host>", "address to listen on; 0.0.0.0 for every interface", "127.0.0.1")
    .option("--data-dir <dir>", "where the embedded database and the secret key file live", ".glidepath")
    .addOption(new Option("--public-url <url>", "the address people use to reach the server, for links in notifications").env("GLIDEPATH_PUBLIC_URL"))
    .addOption(
      new Option("--lease <duration>", "how long a replica holds a release it drives; another takes it over this long after the first dies")
        .env("GLIDEPATH_LEASE")
        .default("4s"),
    )
    .addHelpText(
      "after",
      `
Environment:
  DATABASE_URL               PostgreSQL to use instead of the embedded database (several replicas may share it)
  GLIDEPATH_SECRET_KEY       32-byte key (base64 or hex) sealing stored credentials; default: <data-dir>/secret.key
  GLIDEPATH_ADMIN_EMAIL      on first start, the first admin's email ...
  GLIDEPATH_ADMIN_PASSWORD   ... and password (otherwise a one-time setup link is printed)
  GLIDEPATH_BOOTSTRAP_TOKEN  on first start, becomes an admin API token of the default team
  GLIDEPATH_DASHBOARD_DIR    serve this dashboard build instead of the bundled one`,
    )
    .action(
      runCommand(async (flags: ServeFlags) => {
        const env = process.env;
        const leaseSeconds = parseDuration(flags.lease);
        if (leaseSeconds instanceof Error || !(leaseSeconds >= 1 && leaseSeconds <= 600)) {
          throw new UsageError(`--lease must be a duration from 1s to 10m, like 4s or 30s (got "${flags.lease}")`);
        }
        const serving = await serve({
          leaseMs: leaseSeconds * 1000,
          address: { host: flags.host, port: parsePortFlag("--port", flags.port) },
          dataDir: flags.dataDir,
          databaseUrl: env.DATABASE_URL || undefined,
          secretKey: env.GLIDEPATH_SECRET_KEY || undefined,
          publicUrl: flags.publicUrl?.replace(/\/+$/, ""),
          dashboardDir: env.GLIDEPATH_DASHBOARD_DIR || undefined,
          bootstrap: {
            adminEmail: env.GLIDEPATH_ADMIN_EMAIL || undefined,
            adminPassword: env.GLIDEPATH_ADMIN_PASSWORD || undefined,
            bootstrapToken: env.GLIDEPATH_BOOTSTRAP_TOKEN || undefined,
          },
        });
        if (serving instanceof Error) throw new UsageError(serving.message);
        const { url } = serving.server;
        const where = env.DATABASE_URL ? "PostgreSQL from DATABASE_URL" : `embedded database in ${flags.dataDir}`;
        process.stdout.write(`glidepath serve: ${url} (${where})\n  dashboard: ${url}/\n  API docs:  ${url}/docs\n  metrics:   ${url}/metrics\n`);
        if (serving.setupUrl) {
          process.stdout.write(`\nNobody can sign in yet. Open this one-time link within 24 hours to create the first admin:\n  ${serving.setupUrl}\n`);
        }
        const signal = await new Promise<NodeJS.Signals>((resolve) => onStopSignal(resolve));
        process.stdout.write(`${signal}: stopping; releases resume where they are at the next start\n`);
        await serving.close();
      }),
    );
}
