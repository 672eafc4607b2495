import { z, type OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { randomUUID } from "node:crypto";
import { recordAudit } from "../audit.js";
import { hashPassword } from "../auth/credentials.js";
import { ROLES } from "../auth/roles.js";
import type { ServerEnv } from "../context.js";
import { conflict, HttpProblem, notFound } from "../problems.js";
import { jsonBody, jsonResponse, pathId, problem, TeamParams, teamRoute } from "../route-kit.js";
import type { Member } from "../../store/identity-store.js";
import { PasswordSchema } from "./session.js";

const MemberSchema = z
  .object({
    id: z.string().openapi({ description: "The user's id, used in the member's URL." }),
    email: z.string(),
    name: z.string(),
    role: z.enum(ROLES),
  })
  .openapi("Member");

const NewMemberSchema = z
  .object({
    email: z.email().max(320).openapi({ example: "grace@example.com" }),
    role: z.enum(ROLES),
    name: z.string().trim().min(1).max(100).optional().openapi({ description: "For a new user; by default the part of the email before @." }),
    password: PasswordSchema.optional().openapi({ description: "Creates the user when nobody has this email yet. Tell them to change it." }),
  })
  .strict();

const MemberChangeSchema = z.object({ role: z.enum(ROLES) }).strict();
const MemberParams = TeamParams.extend({ user: pathId("user") });
const conflictResponse = problem("The change would leave the team without an admin, or the person is a member already.");

const listMembers = teamRoute("viewer", {
  method: "get",
  path: "/api/v1/teams/{team}/members",
  tags: ["Members"],
  summary: "The team's members",
  request: { params: TeamParams },
  responses: { 200: jsonResponse(z.object({ members: z.array(MemberSchema) }), "The members, by email.") },
});

const addMember = teamRoute("admin", {
  method: "post",
  path: "/api/v1/teams/{team}/members",
  tags: ["Members"],
  summary: "Add a member",
  description: "Adds the person with this email; with a `password`, creates them first when nobody has the email yet.",
  request: { params: TeamParams, ...jsonBody(NewMemberSchema) },
  responses: { 201: jsonResponse(MemberSchema, "The new member."), 409: conflictResponse },
});

const updateMember = teamRoute("admin", {
  method: "patch",
  path: "/api/v1/teams/{team}/members/{user}",
  tags: ["Members"],
  summary: "Change a member's role",
  description: "The team's last admin cannot be demoted.",
  request: { params: MemberParams, ...jsonBody(MemberChangeSchema) },
  responses: { 200: jsonResponse(MemberSchema, "The member."), 409: conflictResponse },
});

const removeMember = teamRoute("admin", {
  method: "delete",
  path: "/api/v1/teams/{team}/members/{user}",
  tags: ["Members"],
  summary: "Remove a member",
  description: "The person keeps their account and their other teams. The team's last admin cannot be removed.",
  request: { params: MemberParams },
  responses: { 204: { description: "Removed." }, 409: conflictResponse },
});

export function memberRoutes(app: OpenAPIHono<ServerEnv>): void {
  app.openapi(listMembers, async (c) => {
    const members = await c.var.services.identities.members(c.var.access.team.id);
    return c.json({ members: members.map(memberView) }, 200);
  });

  app.openapi(addMember, async (c) => {
    const { email, role, name, password } = c.req.valid("json");
    const { services, access } = c.var;
    const { identities } = services;
    const now = new Date(services.clock.now());
    let user = await identities.userByEmail(email);
    if (user && password !== undefined) {
      throw conflict(`${user.email} has an account already and only they can set its password; leave out the password to add them`);
    }
    if (!user) {
      if (password === undefined) {
        throw new HttpProblem(404, "not_found", "no user with that email; give a password to create one", [
          { field: "body.email", message: "nobody has this email" },
        ]);
      }
      const created = await identities.createUser({
        id: randomUUID(),
        email,
        name: name ?? email.split("@")[0]!,
        passwordHash: await hashPassword(password),
        createdAt: now,
      });
      if (created === "email_taken") throw conflict(`${email} got an account meanwhile; leave out the password to add them`);
      user = created;
    }
    const current = await identities.roleOf(access.team.id, user.id);
    if (current) {
      throw conflict(`${user.email} is a member already, as ${current}; change the role with PATCH /api/v1/teams/${access.team.slug}/members/${user.id}`);
    }
    await identities.setMembership(access.team.id, user.id, role, now);
    await recordAudit(c, { action: "member.add", objectId: user.id, details: { email: user.email, role, userCreated: password !== undefined } });
    return c.json(memberView({ ...user, role }), 201);
  });

  app.openapi(updateMember, async (c) => {
    const { role } = c.req.valid("json");
    const id = c.req.valid("param").user;
    const before = await changeMember(c, id, role);
    if (before.role !== role) {
      await recordAudit(c, { action: "member.update", objectId: id, details: { email: before.email, role, previousRole: before.role } });
    }
    return c.json(memberView({ ...before, role }), 200);
  });

  app.openapi(removeMember, async (c) => {
    const id = c.req.valid("param").user;
    const before = await changeMember(c, id, null);
    await recordAudit(c, { action: "member.remove", objectId: id, details: { email: before.email, role: before.role } });
    return c.body(null, 204);
  });
}

async function changeMember(c: Context<ServerEnv>, userId: string, role: Member["role"] | null): Promise<Member> {
  const { identities } = c.var.services;
  const { team } = c.var.access;
  const before = await identities.changeMember(team.id, userId, role);
  if (before === "not_member") throw notFound(`member ${userId} in team "${team.slug}"`);
  if (before === "last_admin") {
    const member = await identities.member(team.id, userId);
    throw conflict(
      `${member?.email ?? userId} is the last admin of team "${team.slug}", and a team needs one to manage it; make another member admin first`,
    );
  }
  return before;
}

function memberView(member: Member) {
  return { id: member.id, email: member.email, name: member.name, role: member.role };
}
