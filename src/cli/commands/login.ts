import type { Command } from "commander";
import { configPath, createApiClient, expectData, normalizeServerUrl, removeLogin, saveLogin } from "../client/index.js";
import { printJson } from "../client/output.js";
import { readToken } from "../client/read-token.js";
import { UsageError } from "../exit-codes.js";
import { runCommand } from "../run-command.js";

interface LoginFlags {
  server?: string;
  token?: string;
  team?: string;
  json?: boolean;
}

export function registerLoginCommands(program: Command): void {
  program
    .command("login")
    .description("Check an API token against a Glidepath server and keep both in your config file (mode 0600)")
    .option("--server <url>", "the server, e.g. https://glidepath.example.com (default: GLIDEPATH_SERVER)")
    .option("--token <token>", "the API token; otherwise typed at a hidden prompt, or read from standard input when it is not a terminal")
    .option("--team <slug>", "the team, when the credentials reach several")
    .option("--json", "print the result as JSON")
    .action(runCommand(login));

  program
    .command("logout")
    .description("Forget the stored server and API token")
    .option("--json", "print the result as JSON")
    .action(
      runCommand(async (flags: { json?: boolean }) => {
        const path = configPath();
        const removed = await removeLogin(path);
        if (flags.json) printJson({ loggedOut: removed, config: path });
        else process.stdout.write(removed ? `logged out: removed ${path}\n` : `not logged in: ${path} does not exist\n`);
      }),
    );
}

async function login(flags: LoginFlags): Promise<void> {
  const serverSetting = flags.server ?? (process.env.GLIDEPATH_SERVER || undefined);
  if (!serverSetting) throw new UsageError("which server? pass --server URL (or set GLIDEPATH_SERVER)");
  const server = normalizeServerUrl(serverSetting);
  const token = flags.token?.trim() || (await readToken());
  const { teams } = await expectData(server, createApiClient(server, token).GET("/api/v1/teams"));
  const team = flags.team === undefined ? teams[0] : teams.find(({ slug }) => slug === flags.team);
  if (!team) throw new UsageError(flags.team === undefined ? `the token belongs to no team on ${server}` : `the token does not reach team "${flags.team}" on ${server}`);
  if (flags.team === undefined && teams.length > 1) {
    throw new UsageError(`these credentials reach several teams (${teams.map(({ slug }) => slug).join(", ")}); pass --team`);
  }
  const path = configPath();
  await saveLogin({ server, token, team: team.slug }, path);
  if (flags.json) printJson({ server, team: team.slug, role: team.role, config: path });
  else process.stdout.write(`logged in to ${server}: team ${team.slug} as ${team.role}; saved in ${path}\n`);
}
