import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Role } from "../src/server/auth/roles.js";
import { hashSecret, newApiToken } from "../src/server/auth/credentials.js";
import { proxyWithTwoVersions, stopEverything } from "../src/platforms/local/test-harness.js";
import { startTestServer, type TestServer } from "../src/server/test-support.js";

/**
 * The role each team route needs, written out from the rules (viewer reads; deployer also
 * creates and drives releases and edits plans; admin also manages members, tokens, connections,
 * targets and channels) rather than read from the code under test.
 */
const NEEDED: Record<string, Role> = {
  "GET /teams/{team}": "viewer",
  "PATCH /teams/{team}": "admin",
  "GET /teams/{team}/members": "viewer",
  "POST /teams/{team}/members": "admin",
  "PATCH /teams/{team}/members/{user}": "admin",
  "DELETE /teams/{team}/members/{user}": "admin",
  "GET /teams/{team}/audit": "viewer",
  "GET /teams/{team}/tokens": "admin",
  "POST /teams/{team}/tokens": "admin",
  "POST /teams/{team}/tokens/{token}/revoke": "admin",
  "GET /teams/{team}/connections": "viewer",
  "POST /teams/{team}/connections": "admin",
  "GET /teams/{team}/connections/{connection}": "viewer",
  "PATCH /teams/{team}/connections/{connection}": "admin",
  "DELETE /teams/{team}/connections/{connection}": "admin",
  "GET /teams/{team}/targets": "viewer",
  "POST /teams/{team}/targets": "admin",
  "GET /teams/{team}/targets/{target}": "viewer",
  "PATCH /teams/{team}/targets/{target}": "admin",
  "DELETE /teams/{team}/targets/{target}": "admin",
  "GET /teams/{team}/targets/{target}/versions": "viewer",
  "GET /teams/{team}/plans": "viewer",
  "POST /teams/{team}/plans": "deployer",
  "POST /teams/{team}/plans/validate": "viewer",
  "GET /teams/{team}/plans/{plan}": "viewer",
  "PUT /teams/{team}/plans/{plan}": "deployer",
  "DELETE /teams/{team}/plans/{plan}": "admin",
  "POST /teams/{team}/releases": "deployer",
  "GET /teams/{team}/releases": "viewer",
  "GET /teams/{team}/releases/{release}": "viewer",
  "POST /teams/{team}/releases/{release}/start": "deployer",
  "POST /teams/{team}/releases/{release}/approve": "deployer",
  "POST /teams/{team}/releases/{release}/deny": "deployer",
  "POST /teams/{team}/releases/{release}/pause": "deployer",
  "POST /teams/{team}/releases/{release}/resume": "deployer",
  "POST /teams/{team}/releases/{release}/promote": "deployer",
  "POST /teams/{team}/releases/{release}/cancel": "deployer",
  "POST /teams/{team}/releases/{release}/rollback": "deployer",
  "GET /teams/{team}/releases/{release}/events": "viewer",
  "GET /teams/{team}/events": "viewer",
  "GET /teams/{team}/channels": "viewer",
  "POST /teams/{team}/channels": "admin",
  "GET /teams/{team}/channels/{channel}": "viewer",
  "PATCH /teams/{team}/channels/{channel}": "admin",
  "DELETE /teams/{team}/channels/{channel}": "admin",
  "POST /teams/{team}/channels/{channel}/test": "admin",
  "GET /teams/{team}/channels/{channel}/deliveries": "viewer",
};

/** Routes outside any team: who may call them. */
const TEAMLESS: Record<string, "public" | "signed_in" | "user_only"> = {
  "POST /session": "public",
  "GET /session": "signed_in",
  "DELETE /session": "signed_in",
  "POST /session/password": "signed_in",
  "POST /setup": "public",
  "GET /teams": "signed_in",
  "POST /teams": "user_only",
};

const ROLES: Role[] = ["viewer", "deployer", "admin"];

describe("who may call each route", () => {
  let server: TestServer;
  const tokens = {} as Record<Role | "revoked" | "otherTeam", string>;
  const params: Record<string, string> = {};

  beforeAll(async () => {
    server = await startTestServer();
    const { identities, clock } = server.services;
    const now = new Date(clock.now());
    const team = (await identities.teamBySlug(server.team))!;
    const other = await identities.createTeam({ id: randomUUID(), slug: "other", name: "Other", createdAt: now });
    if (other === "slug_taken") throw new Error("unexpected");
    const makeToken = async (teamId: string, role: Role, revoked = false) => {
      const { secret, hash, prefix } = newApiToken();
      const token = await identities.createToken({
        id: randomUUID(),
        teamId,
        name: `${role}${revoked ? "-revoked" : ""}`,
        role,
        hash,
        prefix,
        createdBy: "test",
        createdAt: now,
        expiresAt: null,
        lastUsedAt: null,
        revokedAt: revoked ? now : null,
      });
      expect(hashSecret(secret)).toBe(hash);
      return { secret, id: token.id };
    };
    for (const role of ROLES) tokens[role] = (await makeToken(team.id, role)).secret;
    tokens.revoked = (await makeToken(team.id, "admin", true)).secret;
    tokens.otherTeam = (await makeToken(other.id, "admin")).secret;
    params.token = (await makeToken(team.id, "viewer")).id;

    const proxy = await proxyWithTwoVersions();
    const base = `/api/v1/teams/${server.team}`;
    const created = async (path: string, json: unknown) => {
      const response = await server.api(base + path, { json });
      expect(response.status, await response.clone().text()).toBe(201);
      return (await response.json()) as { id: string; name: string };
    };
    params.connection = (await created("/connections", { name: "proxy", platform: "local", adminUrl: proxy.adminUrl })).name;
    params.target = (await created("/targets", { name: "shop", connection: "proxy", settings: {} })).name;
    params.plan = (await created("/plans", { name: "quick", stages: [{ percent: 100 }] })).name;
    params.channel = (await created("/channels", { name: "ops", type: "webhook", url: "http://127.0.0.1:9/hook" })).id;
    params.release = (await created("/releases", { target: "shop", candidate: "v2" })).id;
    params.user = (await created("/members", { email: "viewer@example.com", role: "viewer", password: "a long password here" })).id;
  });
  afterAll(async () => {
    await server.close();
    await stopEverything();
  });

  async function call(operation: string, token: string | null): Promise<number> {
    const [method, template] = operation.split(" ") as [string, string];
    const path = template.replace(/\{(\w+)\}/g, (_, name: string) => (name === "team" ? server.team : params[name]!));
    const response = await server.api(`/api/v1${path}`, {
      method,
      token,
      ...(method !== "GET" && method !== "DELETE" && { json: {} }),
    });
    await response.body?.cancel();
    return response.status;
  }

  it("documents every route it checks, and checks every route the API documents", async () => {
    const document = (await (await server.api("/api/v1/openapi.json")).json()) as { paths: Record<string, Record<string, unknown>> };
    const documented = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${path.slice("/api/v1".length)}`),
    );
    expect(documented.sort()).toEqual([...Object.keys(NEEDED), ...Object.keys(TEAMLESS)].sort());
  });

  it("answers each team route by the caller's token: 401, 404 for another team, 403 below the role, else through", async () => {
    // Deletions last, so the objects the other routes name still exist.
    const operations = Object.keys(NEEDED).sort((a, b) => Number(a.startsWith("DELETE")) - Number(b.startsWith("DELETE")));
    for (const operation of operations) {
      const outsiders = [await call(operation, null), await call(operation, tokens.revoked), await call(operation, tokens.otherTeam)];
      const members: (number | "through")[] = [];
      for (const role of ROLES) {
        const status = await call(operation, tokens[role]);
        members.push([401, 403, 404].includes(status) || status >= 500 ? status : "through");
      }
      const expected = ROLES.map((role) => (ROLES.indexOf(role) >= ROLES.indexOf(NEEDED[operation]!) ? "through" : 403));
      expect([...outsiders, ...members], operation).toEqual([401, 401, 404, ...expected]);
    }
  });

  it("lets anyone sign in or set up, signed-in callers see their teams, and only people make teams", async () => {
    for (const [operation, rule] of Object.entries(TEAMLESS)) {
      const anonymous = await call(operation, null);
      if (rule === "public") expect(anonymous, operation).not.toBe(401);
      else expect(anonymous, operation).toBe(401);
      if (rule !== "public") expect(await call(operation, tokens.revoked), operation).toBe(401);
    }
    expect(await call("GET /teams", tokens.viewer)).toBe(200);
    const teamByToken = await server.api("/api/v1/teams", { token: tokens.admin, json: { slug: "by-token", name: "By token" } });
    expect(teamByToken.status).toBe(403);
  });
});
