import { z, type OpenAPIHono } from "@hono/zod-openapi";
import { randomUUID } from "node:crypto";
import type { Context } from "hono";
import { PLATFORMS } from "../../platforms/registry.js";
import { PlatformError } from "../../platforms/types.js";
import { ConfigStore, type Connection } from "../../store/config-store.js";
import { recordAudit } from "../audit.js";
import type { ServerEnv } from "../context.js";
import {
  type ConnectionSecret,
  inServerTerms,
  openConnectionSecret,
  sealConnectionSecret,
  testConnection,
} from "../platform-connections.js";
import { badRequest, conflict, HttpProblem, notFound, type FieldProblem } from "../problems.js";
import { iso, jsonBody, jsonResponse, problem, SlugSchema, TeamParams, teamRoute, Timestamp } from "../route-kit.js";

const HttpUrl = z.url({ protocol: /^https?$/, error: "must be an http(s) URL, e.g. http://127.0.0.1:9901" });

const AccountId = z
  .string()
  .regex(/^[0-9a-f]{32}$/, "must be a Cloudflare account id: 32 lowercase hexadecimal digits, as in the dashboard's URL")
  .openapi({ example: "023e105f4ecef8ad9ca31a8372d0c353" });
const ApiToken = z
  .string()
  .trim()
  .min(1, "must be a Cloudflare API token with Workers Scripts Edit and Account Analytics Read")
  .openapi({ description: "Sealed at rest and never shown again." });
const ApiBaseUrl = z
  .url({ protocol: /^https?$/, error: "must be an http(s) URL ending in /client/v4" })
  .openapi({ description: "Only to rehearse against `glidepath sim cloudflare`; the real API by default." });
const AdminToken = z.string().min(1, "must not be empty; leave it out when the proxy has no admin token").openapi({
  description: "The proxy's --admin-token; sealed at rest and never shown again.",
});

const CloudflareConnectionInput = z
  .object({
    name: SlugSchema.openapi({ example: "production" }),
    platform: z.literal("cloudflare"),
    accountId: AccountId,
    apiToken: ApiToken,
    apiBaseUrl: ApiBaseUrl.optional(),
  })
  .strict();

const LocalConnectionInput = z
  .object({
    name: SlugSchema.openapi({ example: "local-proxy" }),
    platform: z.literal("local"),
    adminUrl: HttpUrl.openapi({ description: "The admin address of `glidepath proxy`.", example: "http://127.0.0.1:9901" }),
    adminToken: AdminToken.optional(),
  })
  .strict();

const NewConnectionSchema = z
  .discriminatedUnion("platform", [CloudflareConnectionInput, LocalConnectionInput], {
    error: (issue) => (issue.code === "invalid_union" ? `must be one of ${PLATFORMS.map((p) => `"${p}"`).join(", ")}` : undefined),
  })
  .openapi("NewConnection");

/** The fields of each platform's connection that a PATCH may change; `name` belongs to all. */
const PLATFORM_FIELDS: Record<string, readonly string[]> = {
  cloudflare: ["accountId", "apiToken", "apiBaseUrl"],
  local: ["adminUrl", "adminToken"],
};

const ConnectionChangeSchema = z
  .object({
    name: SlugSchema.optional(),
    accountId: AccountId.optional(),
    apiToken: ApiToken.optional(),
    apiBaseUrl: ApiBaseUrl.nullable().optional().openapi({ description: "null goes back to the real Cloudflare API." }),
    adminUrl: HttpUrl.optional(),
    adminToken: AdminToken.nullable().optional().openapi({ description: "null: the proxy needs no token any more." }),
  })
  .strict()
  .openapi("ConnectionChange");

const ConnectionSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    platform: z.enum(PLATFORMS),
    accountId: z.string().optional(),
    apiBaseUrl: z.string().optional(),
    adminUrl: z.string().optional(),
    hasSecret: z.boolean().openapi({ description: "Whether credentials are stored; they are never shown." }),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .openapi("Connection");

const ConnectionParams = TeamParams.extend({
  connection: SlugSchema.openapi({ param: { name: "connection", in: "path" }, example: "production" }),
});

const REFUSED = problem("The platform refused the connection, or could not be reached; the message says why.");

const listConnections = teamRoute("viewer", {
  method: "get",
  path: "/api/v1/teams/{team}/connections",
  tags: ["Connections"],
  summary: "List the team's platform connections",
  request: { params: TeamParams },
  responses: { 200: jsonResponse(z.object({ connections: z.array(ConnectionSchema) }), "The connections, without their credentials.") },
});

const createConnection = teamRoute("admin", {
  method: "post",
  path: "/api/v1/teams/{team}/connections",
  tags: ["Connections"],
  summary: "Connect a platform account",
  description:
    "Tries the credentials first (Cloudflare: reads the account's Workers; local: reads the proxy's split) and saves nothing when that fails. The credentials are sealed and never shown again.",
  request: { params: TeamParams, ...jsonBody(NewConnectionSchema) },
  responses: {
    201: jsonResponse(ConnectionSchema, "The new connection."),
    409: problem("The team has a connection of this name."),
    422: REFUSED,
  },
});

const getConnection = teamRoute("viewer", {
  method: "get",
  path: "/api/v1/teams/{team}/connections/{connection}",
  tags: ["Connections"],
  summary: "Show a connection",
  request: { params: ConnectionParams },
  responses: { 200: jsonResponse(ConnectionSchema, "The connection, without its credentials.") },
});

const updateConnection = teamRoute("admin", {
  method: "patch",
  path: "/api/v1/teams/{team}/connections/{connection}",
  tags: ["Connections"],
  summary: "Change a connection",
  description:
    "Changes the given fields only; the platform cannot change. When the settings or credentials change they are tried first, and nothing is saved when that fails. Running releases use the new settings from their next call.",
  request: { params: ConnectionParams, ...jsonBody(ConnectionChangeSchema) },
  responses: {
    200: jsonResponse(ConnectionSchema, "The changed connection."),
    409: problem("The team has another connection of the new name."),
    422: REFUSED,
  },
});

const deleteConnection = teamRoute("admin", {
  method: "delete",
  path: "/api/v1/teams/{team}/connections/{connection}",
  tags: ["Connections"],
  summary: "Delete a connection",
  request: { params: ConnectionParams },
  responses: {
    204: { description: "Deleted, with its credentials." },
    409: problem("Targets still use the connection; the message names them."),
  },
});

export function connectionRoutes(app: OpenAPIHono<ServerEnv>): void {
  app.openapi(listConnections, async (c) => {
    const connections = await store(c).connections(c.var.access.team.id);
    return c.json({ connections: connections.map(connectionView) }, 200);
  });

  app.openapi(createConnection, async (c) => {
    const input = c.req.valid("json");
    const { services, access } = c.var;
    const id = randomUUID();
    const { settings, secret } =
      input.platform === "cloudflare"
        ? { settings: compact({ accountId: input.accountId, apiBaseUrl: input.apiBaseUrl }), secret: { apiToken: input.apiToken } }
        : { settings: { adminUrl: input.adminUrl }, secret: { adminToken: input.adminToken } };
    await refuseUnlessItWorks(c, input.platform, settings, secret);
    const now = new Date(services.clock.now());
    const created = await store(c).createConnection({
      id,
      teamId: access.team.id,
      name: input.name,
      platform: input.platform,
      settings,
      sealedSecret: sealConnectionSecret(services.secrets, id, secret),
      createdAt: now,
      updatedAt: now,
    });
    if (created === "name_taken") throw conflict(`the team already has a connection named ${input.name}; choose another name`);
    await recordAudit(c, { action: "connection.create", objectId: id, details: { name: input.name, platform: input.platform, settings } });
    return c.json(connectionView(created), 201);
  });

  app.openapi(getConnection, async (c) => {
    return c.json(connectionView(await existing(c, c.req.valid("param").connection)), 200);
  });

  app.openapi(updateConnection, async (c) => {
    const changes = c.req.valid("json");
    const { services, access } = c.var;
    const connection = await existing(c, c.req.valid("param").connection);
    const allowed = new Set(["name", ...(PLATFORM_FIELDS[connection.platform] ?? [])]);
    const misplaced: FieldProblem[] = Object.keys(changes)
      .filter((key) => !allowed.has(key))
      .map((key) => ({ field: `body.${key}`, message: `belongs to another platform's connections; this one is ${connection.platform}` }));
    if (misplaced.length > 0) throw badRequest(`the body is invalid: ${misplaced.map((f) => `${f.field}: ${f.message}`).join("; ")}`, misplaced);

    const settings = { ...connection.settings };
    if (changes.accountId !== undefined) settings.accountId = changes.accountId;
    if (changes.apiBaseUrl !== undefined) {
      if (changes.apiBaseUrl === null) delete settings.apiBaseUrl;
      else settings.apiBaseUrl = changes.apiBaseUrl;
    }
    if (changes.adminUrl !== undefined) settings.adminUrl = changes.adminUrl;
    const credentialsChanged = changes.apiToken !== undefined || changes.adminToken !== undefined;
    const platformChanged = credentialsChanged || JSON.stringify(settings) !== JSON.stringify(connection.settings);

    let sealedSecret: string | undefined;
    if (platformChanged) {
      const stored = openConnectionSecret(services.secrets, connection);
      if (stored instanceof Error && !credentialsChanged) throw new HttpProblem(422, "connection_failed", stored.message);
      const secret: ConnectionSecret = { ...(stored instanceof Error ? {} : stored) };
      if (changes.apiToken !== undefined) secret.apiToken = changes.apiToken;
      if (changes.adminToken !== undefined) secret.adminToken = changes.adminToken ?? undefined;
      await refuseUnlessItWorks(c, connection.platform, settings, secret);
      if (credentialsChanged) sealedSecret = sealConnectionSecret(services.secrets, connection.id, secret);
    }
    const updated = await store(c).updateConnection(access.team.id, connection.id, {
      ...(changes.name !== undefined && { name: changes.name }),
      settings,
      ...(sealedSecret !== undefined && { sealedSecret }),
      // Strictly later, so the engine's cache of the credentials (keyed by updatedAt) sees every change.
      updatedAt: new Date(Math.max(services.clock.now(), connection.updatedAt.getTime() + 1)),
    });
    if (updated === "name_taken") throw conflict(`the team already has a connection named ${changes.name}; choose another name`);
    if (!updated) throw notFound(`connection ${connection.name}`);
    services.platforms.invalidate(connection.id);
    await recordAudit(c, {
      action: "connection.update",
      objectId: connection.id,
      details: { name: updated.name, ...(updated.name !== connection.name && { previousName: connection.name }), settings, credentialsChanged },
    });
    return c.json(connectionView(updated), 200);
  });

  app.openapi(deleteConnection, async (c) => {
    const connection = await existing(c, c.req.valid("param").connection);
    const deleted = await store(c).deleteConnection(c.var.access.team.id, connection.id);
    if (!deleted) throw notFound(`connection ${connection.name}`);
    if ("usedBy" in deleted) {
      throw conflict(`connection ${connection.name} is used by targets ${deleted.usedBy.join(", ")}; delete them or move them to another connection first`);
    }
    c.var.services.platforms.invalidate(connection.id);
    await recordAudit(c, { action: "connection.delete", objectId: connection.id, details: { name: connection.name, platform: connection.platform } });
    return c.body(null, 204);
  });
}

const store = (c: Context<ServerEnv>) => new ConfigStore(c.var.services.db);

async function existing(c: Context<ServerEnv>, name: string): Promise<Connection> {
  const connection = await store(c).connection(c.var.access.team.id, name);
  if (!connection) throw notFound(`connection ${name}`);
  return connection;
}

/** 422 with the platform's own words when the connection does not work. */
async function refuseUnlessItWorks(c: Context<ServerEnv>, platform: string, settings: Record<string, string>, secret: ConnectionSecret) {
  const failure = await testConnection({ platform, settings }, secret, c.var.services.metrics);
  if (!failure) return;
  const said = failure instanceof PlatformError ? inServerTerms(failure.message) : failure.message;
  throw new HttpProblem(422, "connection_failed", `the ${platform} connection does not work, so it was not saved: ${said}`);
}

function compact(values: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as Record<string, string>;
}

/** A connection as the API shows it: its settings, never its credentials. */
function connectionView(connection: Connection) {
  const { accountId, apiBaseUrl, adminUrl } = connection.settings;
  return {
    id: connection.id,
    name: connection.name,
    platform: connection.platform as (typeof PLATFORMS)[number],
    ...(accountId !== undefined && { accountId }),
    ...(apiBaseUrl !== undefined && { apiBaseUrl }),
    ...(adminUrl !== undefined && { adminUrl }),
    hasSecret: connection.sealedSecret !== "",
    createdAt: iso(connection.createdAt)!,
    updatedAt: iso(connection.updatedAt)!,
  };
}
