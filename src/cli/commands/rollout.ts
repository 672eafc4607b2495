import { Option, type Command } from "commander";
import { parseDuration } from "../../core/duration.js";
import type { TargetRef } from "../../core/release.js";
import { PLATFORMS, type PlatformSecrets } from "../../platforms/registry.js";
import { UsageError } from "../exit-codes.js";
import { resolvePlan } from "../plan-option.js";
import { runRollout } from "../rollout/run-rollout.js";
import { runCommand } from "../run-command.js";
import { readWorkerName } from "../../platforms/cloudflare/wrangler-config.js";

interface RolloutOptions {
  platform: (typeof PLATFORMS)[number];
  proxyAdmin?: string;
  proxyToken?: string;
  accountId?: string;
  worker?: string;
  apiBaseUrl?: string;
  apiToken?: string;
  metrics: "graphql" | "observability";
  metricsLag?: string;
  stable?: string;
  candidate?: string;
  stableVersion?: string;
  candidateVersion?: string;
  plan?: string;
  stages?: string;
  soak?: string;
  dataDir: string;
  name?: string;
  json?: boolean;
  adopt?: boolean;
}

export function registerRolloutCommand(program: Command) {
  program
    .command("rollout")
    .description("Run one release in the foreground: stage by stage, checking SLOs, rolling back on failure.")
    .addOption(new Option("--platform <platform>", "where the traffic is split").choices(PLATFORMS).default("local"))
    .option("--stable <version>", "the version serving traffic now (default: the one serving 100%)")
    .option("--candidate <version>", "the version to roll out")
    .option("--plan <name|file>", "built-in plan (fast, standard, safe) or a YAML/JSON plan file (default standard)")
    .option("--stages <percents>", "build the plan from percents, e.g. 5,25,50,100")
    .option("--soak <duration>", "soak per stage with --stages, e.g. 10m")
    .option("--data-dir <dir>", "where releases are kept; rerun with the same one to resume", ".glidepath")
    .option("--name <name>", "release name; an unfinished release of this name is resumed")
    .option("--json", "print one JSON line per event and a summary object last")
    .option("--adopt", "take over a split between the stable and candidate already live, from the last stage at or below its share")
    .option("--proxy-admin <url>", "admin API of `glidepath proxy`, e.g. http://127.0.0.1:9901")
    .addOption(new Option("--proxy-token <token>", "bearer token of the proxy admin API").env("GLIDEPATH_PROXY_ADMIN_TOKEN"))
    .option("--account-id <id>", "Cloudflare account id (platform cloudflare)")
    .option("--worker <name>", "Worker name (platform cloudflare; default: the name in wrangler.toml/json/jsonc here)")
    .option("--candidate-version <id>", "Worker version id to roll out (platform cloudflare)")
    .option("--stable-version <id>", "Worker version id serving now (platform cloudflare; default: the one at 100%)")
    .option("--api-base-url <url>", "Cloudflare API base URL, e.g. the simulator's (platform cloudflare)")
    .addOption(new Option("--api-token <token>", "Cloudflare API token").env("CLOUDFLARE_API_TOKEN").hideHelp())
    .addOption(
      new Option("--metrics <source>", "per-version metrics (platform cloudflare)").choices(["graphql", "observability"]).default("graphql"),
    )
    .option("--metrics-lag <duration>", "how late the metrics are complete (platform cloudflare; default 60s for graphql, 30s for observability)")
    .addHelpText(
      "after",
      "\nThe Cloudflare API token comes from CLOUDFLARE_API_TOKEN (see docs/cloudflare.md for its permissions)." +
        "\nExit codes: 0 promoted, 1 internal error, 2 bad input, 3 rolled back, 4 cancelled or denied.",
    )
    .action(
      runCommand(async (options: RolloutOptions) => {
        const plan = resolvePlan(options);
        const { target, secrets, stable, candidate, defaultName } =
          options.platform === "cloudflare" ? cloudflareTarget(options) : localTarget(options);
        return runRollout({
          target,
          secrets,
          stable,
          candidate,
          plan,
          name: options.name ?? defaultName,
          adopt: options.adopt,
          dataDir: options.dataDir,
          output: options.json ? "json" : process.stdout.isTTY ? "tty" : "plain",
        });
      }),
    );
}

interface ResolvedTarget {
  target: TargetRef;
  secrets: PlatformSecrets;
  stable?: string;
  candidate: string;
  defaultName: string;
}

function localTarget(options: RolloutOptions): ResolvedTarget {
  const candidate = required(options.candidate, "--candidate", "--candidate v2");
  return {
    target: { platform: "local", config: { proxyAdmin: httpUrl("--proxy-admin", options.proxyAdmin, "http://127.0.0.1:9901") } },
    secrets: { proxyToken: options.proxyToken },
    stable: options.stable,
    candidate,
    defaultName: `${options.stable ?? "live"}-to-${candidate}`,
  };
}

function cloudflareTarget(options: RolloutOptions): ResolvedTarget {
  const accountId = required(options.accountId, "--account-id", "--account-id 023e105f4ecef8ad9ca31a8372d0c353");
  const worker = options.worker ?? workerNameHere();
  const candidate = required(options.candidateVersion ?? options.candidate, "--candidate-version", "--candidate-version <id from `wrangler versions upload`>");
  const apiToken = required(options.apiToken, "CLOUDFLARE_API_TOKEN", "export CLOUDFLARE_API_TOKEN=...");
  const config: Record<string, string> = { accountId, worker, metrics: options.metrics };
  if (options.apiBaseUrl) config.apiBaseUrl = httpUrl("--api-base-url", options.apiBaseUrl, "http://127.0.0.1:8787/client/v4");
  if (options.metricsLag !== undefined) {
    const lag = parseDuration(options.metricsLag);
    if (lag instanceof Error) throw new UsageError(`--metrics-lag: ${lag.message}`);
    config.lagSeconds = String(lag);
  }
  return {
    target: { platform: "cloudflare", config },
    secrets: { cloudflareApiToken: apiToken },
    stable: options.stableVersion ?? options.stable,
    candidate,
    defaultName: `${worker}-to-${candidate.slice(0, 8)}`,
  };
}

function workerNameHere(): string {
  const name = readWorkerName(process.cwd());
  if (name instanceof Error) throw new UsageError(`--worker is not given and ${name.message}`);
  return name;
}

function required(value: string | undefined, flag: string, example: string): string {
  if (!value) throw new UsageError(`${flag} is required, e.g. ${example}`);
  return value;
}

function httpUrl(flag: string, value: string | undefined, example: string): string {
  const text = required(value, flag, example);
  const url = URL.canParse(text) ? new URL(text) : undefined;
  if (url?.protocol !== "http:" && url?.protocol !== "https:") throw new UsageError(`${flag} ${text} is not an http(s) URL, e.g. ${example}`);
  return text.replace(/\/$/, "");
}
