import type { Command } from "commander";
import { ROLES } from "../../server/auth/roles.js";
import { clientCommand, connectClient, type ConnectionFlags } from "../client/index.js";
import { printFields, printJson, printTable, shortTime } from "../client/output.js";
import { UsageError } from "../exit-codes.js";
import { parseNumberFlag } from "../number-flag.js";
import { runCommand } from "../run-command.js";

type Flags = ConnectionFlags & { json?: boolean };

interface CreateFlags extends Flags {
  name: string;
  role: string;
  expiresIn?: string;
}

export function registerTokenCommand(program: Command): void {
  const token = program.command("token").description("The team's API tokens (needs the admin role)");

  clientCommand(token, "create", "Create an API token; its secret is printed this once")
    .requiredOption("--name <name>", "what the token is for, e.g. github-actions")
    .requiredOption("--role <role>", `its role: ${ROLES.join(", ")}`)
    .option("--expires-in <days>", "days until it stops working (default: never)")
    .action(runCommand(createToken));

  clientCommand(token, "list", "List the team's tokens (never their secrets)").action(
    runCommand(async (flags: Flags) => {
      const { api, team, call } = await connectClient(flags);
      const { tokens } = await call(api.GET("/api/v1/teams/{team}/tokens", { params: { path: { team } } }));
      if (flags.json) return printJson({ tokens });
      printTable(
        ["ID", "NAME", "ROLE", "PREFIX", "CREATED", "EXPIRES", "LAST USED", "REVOKED"],
        tokens.map((each) => [each.id, each.name, each.role, each.prefix, shortTime(each.createdAt), shortTime(each.expiresAt), shortTime(each.lastUsedAt), shortTime(each.revokedAt)]),
        "no tokens",
      );
    }),
  );

  clientCommand(token, "revoke <id>", "Revoke a token: it stops working at once").action(
    runCommand(async (id: string, flags: Flags) => {
      const { api, team, call } = await connectClient(flags);
      const revoked = await call(api.POST("/api/v1/teams/{team}/tokens/{token}/revoke", { params: { path: { team, token: id } } }));
      if (flags.json) printJson(revoked);
      else process.stdout.write(`revoked token ${revoked.name} (${revoked.prefix}...)\n`);
    }),
  );
}

async function createToken(flags: CreateFlags): Promise<void> {
  const role = ROLES.find((known) => known === flags.role);
  if (!role) throw new UsageError(`--role must be one of ${ROLES.join(", ")}, got "${flags.role}"`);
  const expiresInDays =
    flags.expiresIn === undefined
      ? undefined
      : parseNumberFlag("--expires-in", flags.expiresIn, "a whole number of days from 1 to 3650", (n) => Number.isInteger(n) && n >= 1 && n <= 3650);
  const { api, team, call } = await connectClient(flags);
  const created = await call(api.POST("/api/v1/teams/{team}/tokens", { params: { path: { team } }, body: { name: flags.name, role, expiresInDays } }));
  if (flags.json) return printJson(created);
  printFields([
    ["id", created.id],
    ["name", created.name],
    ["role", created.role],
    ["expires", shortTime(created.expiresAt)],
    ["token", created.token],
  ]);
  process.stdout.write("Keep the token now: it cannot be shown again.\n");
}
