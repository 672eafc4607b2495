import { Option, type Command } from "commander";
import { PLATFORMS } from "../../platforms/registry.js";
import { UsageError } from "../exit-codes.js";
import { resolvePlan } from "../plan-option.js";
import { runRollout } from "../rollout/run-rollout.js";
import { runCommand } from "../run-command.js";

interface RolloutOptions {
  platform: string;
  proxyAdmin?: string;
  proxyToken?: string;
  stable: string;
  candidate: string;
  plan?: string;
  stages?: string;
  soak?: string;
  dataDir: string;
  name?: string;
  json?: boolean;
}

export function registerRolloutCommand(program: Command) {
  program
    .command("rollout")
    .description("Run one release in the foreground: stage by stage, checking SLOs, rolling back on failure.")
    .addOption(new Option("--platform <platform>", "where the traffic is split").choices(PLATFORMS).default("local"))
    .option("--proxy-admin <url>", "admin API of `glidepath proxy` (platform local), e.g. http://127.0.0.1:9901")
    .addOption(new Option("--proxy-token <token>", "bearer token of the proxy admin API").env("GLIDEPATH_PROXY_ADMIN_TOKEN"))
    .requiredOption("--stable <version>", "the version serving traffic now")
    .requiredOption("--candidate <version>", "the version to roll out")
    .option("--plan <name|file>", "built-in plan (fast, standard, safe) or a YAML/JSON plan file", undefined)
    .option("--stages <percents>", "build the plan from percents, e.g. 5,25,50,100")
    .option("--soak <duration>", "soak per stage with --stages, e.g. 10m")
    .option("--data-dir <dir>", "where releases are kept; rerun with the same one to resume", ".glidepath")
    .option("--name <name>", "release name; an unfinished release of this name is resumed (default STABLE-to-CANDIDATE)")
    .option("--json", "print one JSON line per event and a summary object last")
    .addHelpText(
      "after",
      "\nExit codes: 0 promoted, 1 internal error, 2 bad input, 3 rolled back, 4 cancelled or denied.",
    )
    .action(
      runCommand(async (options: RolloutOptions) => {
        const plan = resolvePlan(options);
        return runRollout({
          target: { platform: options.platform, config: { proxyAdmin: proxyAdminUrl(options.proxyAdmin) } },
          secrets: { proxyToken: options.proxyToken },
          stable: options.stable,
          candidate: options.candidate,
          plan,
          name: options.name ?? `${options.stable}-to-${options.candidate}`,
          dataDir: options.dataDir,
          output: options.json ? "json" : process.stdout.isTTY ? "tty" : "plain",
        });
      }),
    );
}

function proxyAdminUrl(value: string | undefined): string {
  if (!value) throw new UsageError("--proxy-admin is required with --platform local, e.g. --proxy-admin http://127.0.0.1:9901");
  try {
    const url = new URL(value);
    if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error();
    return url.origin;
  } catch {
    throw new UsageError(`--proxy-admin ${value} is not an http(s) URL, e.g. http://127.0.0.1:9901`);
  }
}
