import { getCookie } from "hono/cookie";
import { createMiddleware } from "hono/factory";
import type { Context } from "hono";
import { HttpProblem, notFound } from "../problems.js";
import type { Principal, ServerEnv } from "../context.js";
import { hashSecret } from "./credentials.js";
import { allows, type Role } from "./roles.js";

export const SESSION_COOKIE = "glidepath_session";
export const CSRF_HEADER = "X-CSRF-Token";
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

const unauthenticated = () =>
  new HttpProblem(401, "unauthenticated", "sign in, or send an API token as Authorization: Bearer gp_...", undefined, {
    "WWW-Authenticate": 'Bearer realm="glidepath"',
  });

/** The caller, from a Bearer token or the session cookie; 401 when neither is valid. */
export const authenticate = createMiddleware<ServerEnv>(async (c, next) => {
  c.set("principal", await principalOf(c));
  await next();
});

async function principalOf(c: Context<ServerEnv>): Promise<Principal> {
  const { identities, clock } = c.var.services;
  const now = new Date(clock.now());
  const authorization = c.req.header("authorization");
  if (authorization !== undefined) {
    const [scheme, secret] = authorization.split(" ", 2);
    if (scheme?.toLowerCase() !== "bearer" || !secret) throw unauthenticated();
    const token = await identities.useToken(hashSecret(secret.trim()), now);
    if (!token) throw new HttpProblem(401, "unauthenticated", "this API token is unknown, revoked or expired");
    return { kind: "token", tokenId: token.id, name: token.name, teamId: token.teamId, role: token.role };
  }
  const cookie = getCookie(c, SESSION_COOKIE);
  if (cookie === undefined) throw unauthenticated();
  const found = await identities.session(hashSecret(cookie), now);
  if (!found) throw new HttpProblem(401, "unauthenticated", "your session has ended; sign in again");
  // A cookie rides along on any site's request; a write must also prove it comes from our page.
  if (!SAFE_METHODS.has(c.req.method) && c.req.header(CSRF_HEADER) !== found.session.csrfToken) {
    throw new HttpProblem(403, "csrf", `a signed-in write must carry the ${CSRF_HEADER} header the session gave`);
  }
  const { user, session } = found;
  return { kind: "user", userId: user.id, email: user.email, name: user.name, sessionId: session.id, csrfToken: session.csrfToken };
}

/**
 * Resolves the team in the path and the caller's role in it. A team the caller has no part in
 * is answered like one that does not exist, so its name is not confirmed to outsiders.
 */
export const resolveTeam = createMiddleware<ServerEnv>(async (c, next) => {
  const slug = c.req.param("team") ?? "";
  const { identities } = c.var.services;
  const principal = c.var.principal;
  const team = await identities.teamBySlug(slug);
  const role: Role | undefined = !team
    ? undefined
    : principal.kind === "token"
      ? principal.teamId === team.id
        ? principal.role
        : undefined
      : await identities.roleOf(team.id, principal.userId);
  if (!team || !role) throw notFound(`team "${slug}"`);
  c.set("access", { team, role });
  await next();
});

/** 403 unless the caller's role in the team is at least `needed`. */
export function requireRole(needed: Role) {
  return createMiddleware<ServerEnv>(async (c, next) => {
    const { role } = c.var.access;
    if (!allows(role, needed)) {
      throw new HttpProblem(403, "forbidden", `this needs the ${needed} role in team "${c.var.access.team.slug}"; you have ${role}`);
    }
    await next();
  });
}
