import type { Command } from "commander";
import { UsageError } from "../exit-codes.js";
import { createApiClient, expectData, normalizeServerUrl, type ApiClient } from "./api-client.js";
import { readStoredLogin } from "./config.js";

/** The flags every client command takes; they override GLIDEPATH_SERVER and GLIDEPATH_TEAM, which override the stored login. */
export interface ConnectionFlags {
  server?: string;
  team?: string;
}

/** A server to talk to, with the token and the team every team route is called with. */
export interface Connection {
  api: ApiClient;
  server: string;
  team: string;
  /** The data of a successful call; otherwise throws an error with the server's message (see expectData). */
  call<T>(request: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T>;
}

export const NOT_LOGGED_IN = "not logged in: run glidepath login --server URL, or set GLIDEPATH_SERVER and GLIDEPATH_TOKEN";

/** Adds --server and --team to a client command. */
export function withConnectionOptions(command: Command): Command {
  return command
    .option("--server <url>", "the Glidepath server (default: GLIDEPATH_SERVER, then the stored login)")
    .option("--team <slug>", "the team (default: GLIDEPATH_TEAM, then the token's team)");
}

/** A subcommand that talks to the server: --server, --team and --json. */
export function clientCommand(parent: Command, nameAndArgs: string, description: string): Command {
  return withConnectionOptions(parent.command(nameAndArgs).description(description)).option("--json", "print the API's JSON");
}

/**
 * Resolves the server, token and team from the flags, the environment and the stored login, and
 * returns a client for them. When no team is named, asks the server for the token's team.
 */
export async function connectClient(flags: ConnectionFlags, env: NodeJS.ProcessEnv = process.env): Promise<Connection> {
  const stored = await readStoredLogin();
  const serverSetting = flags.server ?? nonEmpty(env.GLIDEPATH_SERVER) ?? stored?.server;
  if (serverSetting === undefined) throw new UsageError(NOT_LOGGED_IN);
  const server = normalizeServerUrl(serverSetting);
  // The stored token goes only to the server it was stored for.
  const storedForServer = stored && normalizeServerUrl(stored.server) === server ? stored : undefined;
  const token = nonEmpty(env.GLIDEPATH_TOKEN) ?? storedForServer?.token;
  if (token === undefined) throw new UsageError(`no API token for ${server}: ${NOT_LOGGED_IN}`);
  const api = createApiClient(server, token);
  const call: Connection["call"] = (request) => expectData(server, request);
  const team = flags.team ?? nonEmpty(env.GLIDEPATH_TEAM) ?? (nonEmpty(env.GLIDEPATH_TOKEN) ? undefined : storedForServer?.team) ?? (await tokenTeam(api, server));
  return { api, server, team, call };
}

/** The one team an API token belongs to. */
export async function tokenTeam(api: ApiClient, server: string): Promise<string> {
  const { teams } = await expectData(server, api.GET("/api/v1/teams"));
  const [team, ...others] = teams;
  if (!team) throw new UsageError(`the token belongs to no team on ${server}`);
  if (others.length > 0) throw new UsageError(`these credentials reach several teams (${teams.map(({ slug }) => slug).join(", ")}); pass --team`);
  return team.slug;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}
