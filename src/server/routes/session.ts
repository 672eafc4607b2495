import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { deleteCookie, setCookie } from "hono/cookie";
import { recordAudit, sourceAddress } from "../audit.js";
import { CSRF_HEADER, SESSION_COOKIE } from "../auth/authenticate.js";
import { hashPassword, hashSecret, newOpaqueSecret, verifyPassword } from "../auth/credentials.js";
import { ROLES } from "../auth/roles.js";
import { createFirstAdmin } from "../bootstrap.js";
import type { Principal, ServerEnv } from "../context.js";
import { badRequest, conflict, HttpProblem } from "../problems.js";
import { ERROR_RESPONSES, iso, jsonBody, jsonResponse, problem, SECURITY, Timestamp } from "../route-kit.js";
import type { User } from "../../store/identity-store.js";

const SESSION_LIFETIME_SECONDS = 7 * 86_400;
/** Long enough to resist guessing offline; the upper bound keeps scrypt's work per request small. */
export const PasswordSchema = z.string().min(12, "use at least 12 characters").max(1_000);

const UserSchema = z
  .object({ id: z.string(), email: z.string(), name: z.string(), createdAt: Timestamp })
  .openapi("User");

const SessionSchema = z
  .object({
    user: UserSchema,
    csrfToken: z.string().openapi({ description: `Send it as the ${CSRF_HEADER} header on every write made with the session cookie.` }),
    teams: z.array(z.object({ slug: z.string(), name: z.string(), role: z.enum(ROLES) })),
  })
  .openapi("Session");

const SignInSchema = z
  .object({
    email: z.string().trim().min(1).max(320).openapi({ example: "ada@example.com" }),
    password: z.string().min(1).max(1_000),
  })
  .strict();

const SetupSchema = z
  .object({
    setupToken: z.string().min(1).max(200).openapi({ description: "The secret after `#` in the setup link the server printed at its first start." }),
    email: z.email().max(320).openapi({ example: "ada@example.com" }),
    password: PasswordSchema,
    name: z.string().trim().min(1).max(100).openapi({ example: "Ada Lovelace" }),
  })
  .strict();

const PasswordChangeSchema = z.object({ currentPassword: z.string().min(1).max(1_000), newPassword: PasswordSchema }).strict();

const signedIn = { 201: jsonResponse(SessionSchema, "Signed in: the answer sets the `glidepath_session` cookie.") };

const signIn = createRoute({
  method: "post",
  path: "/api/v1/session",
  tags: ["Session"],
  summary: "Sign in",
  description: "Sets the session cookie (HttpOnly, SameSite=Strict, 7 days). After 5 failed tries for an email or from an address, tries wait (429).",
  request: jsonBody(SignInSchema),
  responses: {
    ...signedIn,
    400: ERROR_RESPONSES[400],
    401: problem("The email or the password is wrong."),
    429: problem("Too many failed sign-ins; `Retry-After` says how many seconds to wait."),
  },
});

const getSession = createRoute({
  method: "get",
  path: "/api/v1/session",
  tags: ["Session"],
  summary: "The signed-in person, their teams and the CSRF token",
  description: "For the session cookie only; an API token is answered with 400 (GET /api/v1/teams shows a token's team).",
  security: SECURITY,
  responses: { 200: jsonResponse(SessionSchema, "The session."), ...ERROR_RESPONSES },
});

const signOut = createRoute({
  method: "delete",
  path: "/api/v1/session",
  tags: ["Session"],
  summary: "Sign out",
  description: "Ends the session and clears its cookie.",
  security: SECURITY,
  responses: { 204: { description: "Signed out." }, ...ERROR_RESPONSES },
});

const changePassword = createRoute({
  method: "post",
  path: "/api/v1/session/password",
  tags: ["Session"],
  summary: "Change your password",
  description: "Needs the current password. Signs out every other session of yours.",
  security: SECURITY,
  request: jsonBody(PasswordChangeSchema),
  responses: {
    204: { description: "Changed." },
    ...ERROR_RESPONSES,
    429: problem("Too many wrong passwords; `Retry-After` says how many seconds to wait."),
  },
});

const setup = createRoute({
  method: "post",
  path: "/api/v1/setup",
  tags: ["Session"],
  summary: "Set up the first admin",
  description:
    "With the one-time setup link a server without users prints at its start: makes the first person, an admin of the default team, and signs them in. The link works once.",
  request: jsonBody(SetupSchema),
  responses: {
    ...signedIn,
    400: problem("The body is invalid, or the setup link is unknown, used already or expired."),
    409: problem("Setup is done already: sign in instead."),
  },
});

export function sessionRoutes(app: OpenAPIHono<ServerEnv>): void {
  app.openapi(signIn, async (c) => {
    const { email, password } = c.req.valid("json");
    const { loginLimiter, identities } = c.var.services;
    const address = sourceAddress(c) ?? "unknown";
    throwIfLimited(c, email, address);
    const user = await identities.userWithPasswordByEmail(email);
    // A missing user costs the same scrypt work as a wrong password, so timing does not tell them apart.
    const valid = await verifyPassword(password, user?.passwordHash ?? (await dummyHash()));
    if (!user || !valid) {
      loginLimiter.recordFailure(email, address);
      throw new HttpProblem(401, "unauthenticated", "the email or password is wrong");
    }
    loginLimiter.recordSuccess(email);
    return c.json(await startSession(c, user), 201);
  });

  app.openapi(getSession, async (c) => {
    const principal = userPrincipal(c.var.principal);
    const user = await c.var.services.identities.userByEmail(principal.email);
    if (!user) throw new HttpProblem(401, "unauthenticated", "your account is gone; sign in again");
    return c.json(await sessionView(c, user, principal.csrfToken), 200);
  });

  app.openapi(signOut, async (c) => {
    const principal = userPrincipal(c.var.principal);
    await c.var.services.identities.deleteSession(principal.sessionId);
    deleteCookie(c, SESSION_COOKIE, { path: "/", secure: cameOverHttps(c) });
    return c.body(null, 204);
  });

  app.openapi(changePassword, async (c) => {
    const principal = userPrincipal(c.var.principal);
    const { currentPassword, newPassword } = c.req.valid("json");
    const { identities, loginLimiter } = c.var.services;
    const address = sourceAddress(c) ?? "unknown";
    throwIfLimited(c, principal.email, address);
    const user = await identities.userWithPasswordByEmail(principal.email);
    if (!user || !(await verifyPassword(currentPassword, user.passwordHash))) {
      loginLimiter.recordFailure(principal.email, address);
      throw badRequest("the current password is wrong", [{ field: "body.currentPassword", message: "this is not your current password" }]);
    }
    await identities.setPassword(user.id, await hashPassword(newPassword));
    await identities.deleteOtherSessions(user.id, principal.sessionId);
    await recordAudit(c, { action: "user.password_change", objectId: user.id, teamId: null });
    return c.body(null, 204);
  });

  app.openapi(setup, async (c) => {
    const { setupToken, email, password, name } = c.req.valid("json");
    const { identities, clock } = c.var.services;
    // Once someone has an account, a leftover link from an earlier start must not make another admin.
    if (await identities.hasAnyUser()) throw conflict("setup is done already: someone has an account. Sign in instead");
    const now = clock.now();
    if (!(await identities.useSetupLink(hashSecret(setupToken), new Date(now)))) {
      throw badRequest(
        "this setup link is unknown, used already or expired (links last 24 hours); restart the server to print a new one",
        [{ field: "body.setupToken", message: "unknown, used already or expired" }],
      );
    }
    const { userId, team } = await createFirstAdmin(identities, { email, password, name }, now);
    const user = (await identities.userByEmail(email))!;
    const answer = await startSession(c, user);
    await recordAudit(c, { action: "setup.complete", objectId: userId, teamId: team.id, details: { email: user.email, role: "admin" } });
    return c.json(answer, 201);
  });
}

/** Makes a session for the user, sets its cookie and makes them the request's principal. */
async function startSession(c: Context<ServerEnv>, user: User) {
  const { identities, clock } = c.var.services;
  const now = clock.now();
  const { secret, hash } = newOpaqueSecret();
  const csrfToken = newOpaqueSecret().secret;
  await identities.createSession({
    id: hash,
    userId: user.id,
    csrfToken,
    createdAt: new Date(now),
    expiresAt: new Date(now + SESSION_LIFETIME_SECONDS * 1000),
  });
  setCookie(c, SESSION_COOKIE, secret, {
    httpOnly: true,
    sameSite: "Strict",
    path: "/",
    secure: cameOverHttps(c),
    maxAge: SESSION_LIFETIME_SECONDS,
  });
  const principal: Principal = { kind: "user", userId: user.id, email: user.email, name: user.name, sessionId: hash, csrfToken };
  c.set("principal", principal);
  return sessionView(c, user, csrfToken);
}

async function sessionView(c: Context<ServerEnv>, user: User, csrfToken: string) {
  const teams = await c.var.services.identities.teamsOf(user.id);
  return {
    user: { id: user.id, email: user.email, name: user.name, createdAt: iso(user.createdAt)! },
    csrfToken,
    teams: teams.map(({ slug, name, role }) => ({ slug, name, role })),
  };
}

function userPrincipal(principal: Principal): Extract<Principal, { kind: "user" }> {
  if (principal.kind === "user") return principal;
  throw new HttpProblem(
    400,
    "not_a_session",
    `the API token "${principal.name}" has no session: sessions are for people signed in with a password. GET /api/v1/teams shows the token's team and role`,
  );
}

function throwIfLimited(c: Context<ServerEnv>, email: string, address: string): void {
  const waitMs = c.var.services.loginLimiter.waitMs(email, address);
  if (waitMs <= 0) return;
  const seconds = Math.ceil(waitMs / 1000);
  throw new HttpProblem(429, "too_many_attempts", `too many failed sign-ins; try again in ${seconds} seconds`, undefined, {
    "Retry-After": String(seconds),
  });
}

/** Secure cookies only travel over https; behind a TLS-terminating proxy, X-Forwarded-Proto tells. */
function cameOverHttps(c: Context): boolean {
  const forwarded = c.req.header("x-forwarded-proto")?.split(",")[0]?.trim().toLowerCase();
  return new URL(c.req.url).protocol === "https:" || forwarded === "https";
}

let dummy: Promise<string> | undefined;
const dummyHash = () => (dummy ??= hashPassword("not anyone's password"));
