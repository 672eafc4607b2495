import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import { randomUUID } from "node:crypto";
import { recordAudit } from "../audit.js";
import { ROLES, type Role } from "../auth/roles.js";
import type { ServerEnv } from "../context.js";
import { conflict, HttpProblem } from "../problems.js";
import { ERROR_RESPONSES, iso, jsonBody, jsonResponse, problem, SECURITY, SlugSchema, TeamParams, teamRoute, Timestamp } from "../route-kit.js";
import type { Team } from "../../store/identity-store.js";

const TeamSchema = z
  .object({
    slug: z.string().openapi({ example: "payments" }),
    name: z.string().openapi({ example: "Payments" }),
    role: z.enum(ROLES).openapi({ description: "Your role in the team." }),
    createdAt: Timestamp,
  })
  .openapi("Team");

const TeamNameSchema = z.string().trim().min(1).max(100).openapi({ example: "Payments" });
const NewTeamSchema = z.object({ slug: SlugSchema.openapi({ example: "payments" }), name: TeamNameSchema }).strict();
const TeamChangeSchema = z.object({ name: TeamNameSchema }).strict();

const listTeams = createRoute({
  method: "get",
  path: "/api/v1/teams",
  tags: ["Teams"],
  summary: "Your teams",
  description: "A person's teams with their role in each; for an API token, its one team.",
  security: SECURITY,
  responses: { 200: jsonResponse(z.object({ teams: z.array(TeamSchema) }), "The teams."), ...ERROR_RESPONSES },
});

const createTeam = createRoute({
  method: "post",
  path: "/api/v1/teams",
  tags: ["Teams"],
  summary: "Create a team",
  description: "Any signed-in person may; they become its admin. API tokens belong to one team and cannot.",
  security: SECURITY,
  request: jsonBody(NewTeamSchema),
  responses: {
    201: jsonResponse(TeamSchema, "The new team."),
    ...ERROR_RESPONSES,
    409: problem("Another team has this slug."),
  },
});

const getTeam = teamRoute("viewer", {
  method: "get",
  path: "/api/v1/teams/{team}",
  tags: ["Teams"],
  summary: "A team",
  request: { params: TeamParams },
  responses: { 200: jsonResponse(TeamSchema, "The team, with your role in it.") },
});

const updateTeam = teamRoute("admin", {
  method: "patch",
  path: "/api/v1/teams/{team}",
  tags: ["Teams"],
  summary: "Rename a team",
  description: "The slug stays, so URLs and tokens keep working.",
  request: { params: TeamParams, ...jsonBody(TeamChangeSchema) },
  responses: { 200: jsonResponse(TeamSchema, "The renamed team.") },
});

export function teamRoutes(app: OpenAPIHono<ServerEnv>): void {
  app.openapi(listTeams, async (c) => {
    const { principal, services } = c.var;
    if (principal.kind === "user") {
      const teams = await services.identities.teamsOf(principal.userId);
      return c.json({ teams: teams.map((team) => teamView(team, team.role)) }, 200);
    }
    const team = await services.identities.teamById(principal.teamId);
    return c.json({ teams: team ? [teamView(team, principal.role)] : [] }, 200);
  });

  app.openapi(createTeam, async (c) => {
    const { slug, name } = c.req.valid("json");
    const { principal, services } = c.var;
    if (principal.kind !== "user") {
      throw new HttpProblem(403, "forbidden", "an API token belongs to one team and cannot create teams; sign in as a person to create one");
    }
    const id = randomUUID();
    const team = await services.identities.createTeamWithAdmin({ id, slug, name, createdAt: new Date(services.clock.now()) }, principal.userId);
    if (team === "slug_taken") throw conflict(`the slug "${slug}" is taken by another team; choose another`);
    await recordAudit(c, { action: "team.create", objectId: team.id, teamId: team.id, details: { slug, name } });
    return c.json(teamView(team, "admin"), 201);
  });

  app.openapi(getTeam, (c) => c.json(teamView(c.var.access.team, c.var.access.role), 200));

  app.openapi(updateTeam, async (c) => {
    const { name } = c.req.valid("json");
    const { services, access } = c.var;
    const team = await services.identities.renameTeam(access.team.id, name);
    if (!team) throw new HttpProblem(404, "not_found", `team "${access.team.slug}" was deleted meanwhile`);
    if (team.name !== access.team.name) {
      await recordAudit(c, { action: "team.update", objectId: team.id, details: { name, previousName: access.team.name } });
    }
    return c.json(teamView(team, access.role), 200);
  });
}

function teamView(team: Team, role: Role) {
  return { slug: team.slug, name: team.name, role, createdAt: iso(team.createdAt)! };
}
