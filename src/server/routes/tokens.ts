import { z, type OpenAPIHono } from "@hono/zod-openapi";
import { randomUUID } from "node:crypto";
import { recordAudit } from "../audit.js";
import { newApiToken } from "../auth/credentials.js";
import { ROLES } from "../auth/roles.js";
import { actorName, type ServerEnv } from "../context.js";
import { notFound } from "../problems.js";
import { iso, jsonBody, jsonResponse, pathId, TeamParams, teamRoute, Timestamp } from "../route-kit.js";
import type { ApiToken } from "../../store/identity-store.js";

const TokenSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    role: z.enum(ROLES),
    prefix: z.string().openapi({ description: "The token's first characters, to tell tokens apart.", example: "gp_4fK9a2Q" }),
    createdBy: z.string(),
    createdAt: Timestamp,
    expiresAt: Timestamp.nullable(),
    lastUsedAt: Timestamp.nullable(),
    revokedAt: Timestamp.nullable(),
  })
  .openapi("ApiToken");

const NewTokenSchema = z
  .object({
    name: z.string().trim().min(1).max(100).openapi({ example: "github-actions" }),
    role: z.enum(ROLES),
    expiresInDays: z.number().int().min(1).max(3650).optional().openapi({ description: "Omit for a token that never expires." }),
  })
  .strict();

const CreatedTokenSchema = TokenSchema.extend({
  token: z.string().openapi({ description: "The secret: shown this once, stored only as a hash.", example: "gp_4fK9a2Q..." }),
}).openapi("CreatedApiToken");

const TokenParams = TeamParams.extend({ token: pathId("token") });

const listTokens = teamRoute("admin", {
  method: "get",
  path: "/api/v1/teams/{team}/tokens",
  tags: ["Tokens"],
  summary: "List the team's API tokens",
  request: { params: TeamParams },
  responses: { 200: jsonResponse(z.object({ tokens: z.array(TokenSchema) }), "The tokens, without their secrets.") },
});

const createToken = teamRoute("admin", {
  method: "post",
  path: "/api/v1/teams/{team}/tokens",
  tags: ["Tokens"],
  summary: "Create an API token",
  description: "The secret is in the answer only; keep it, it cannot be shown again.",
  request: { params: TeamParams, ...jsonBody(NewTokenSchema) },
  responses: { 201: jsonResponse(CreatedTokenSchema, "The new token, with its secret.") },
});

const revokeToken = teamRoute("admin", {
  method: "post",
  path: "/api/v1/teams/{team}/tokens/{token}/revoke",
  tags: ["Tokens"],
  summary: "Revoke an API token",
  description: "It stops working at once. Revoking a revoked token changes nothing.",
  request: { params: TokenParams },
  responses: { 200: jsonResponse(TokenSchema, "The revoked token.") },
});

export function tokenRoutes(app: OpenAPIHono<ServerEnv>): void {
  app.openapi(listTokens, async (c) => {
    const tokens = await c.var.services.identities.tokens(c.var.access.team.id);
    return c.json({ tokens: tokens.map(tokenView) }, 200);
  });

  app.openapi(createToken, async (c) => {
    const { name, role, expiresInDays } = c.req.valid("json");
    const { services, access, principal } = c.var;
    const now = services.clock.now();
    const { secret, hash, prefix } = newApiToken();
    const token = await services.identities.createToken({
      id: randomUUID(),
      teamId: access.team.id,
      name,
      role,
      hash,
      prefix,
      createdBy: actorName(principal),
      createdAt: new Date(now),
      expiresAt: expiresInDays === undefined ? null : new Date(now + expiresInDays * 86_400_000),
      lastUsedAt: null,
      revokedAt: null,
    });
    await recordAudit(c, { action: "token.create", objectId: token.id, details: { name, role, expiresInDays: expiresInDays ?? null } });
    return c.json({ ...tokenView(token), token: secret }, 201);
  });

  app.openapi(revokeToken, async (c) => {
    const { services, access } = c.var;
    const id = c.req.valid("param").token;
    const token = await services.identities.revokeToken(access.team.id, id, new Date(services.clock.now()));
    if (!token) throw notFound(`token ${id}`);
    await recordAudit(c, { action: "token.revoke", objectId: token.id, details: { name: token.name } });
    return c.json(tokenView(token), 200);
  });
}

function tokenView(token: ApiToken) {
  return {
    id: token.id,
    name: token.name,
    role: token.role,
    prefix: token.prefix,
    createdBy: token.createdBy,
    createdAt: iso(token.createdAt)!,
    expiresAt: iso(token.expiresAt),
    lastUsedAt: iso(token.lastUsedAt),
    revokedAt: iso(token.revokedAt),
  };
}
