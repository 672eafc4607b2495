import { randomUUID } from "node:crypto";
import { expect } from "vitest";
import type { Role } from "../auth/roles.js";
import { hashSecret } from "../auth/credentials.js";
import type { TestServer } from "../test-support.js";

/** Shared set-up of the connection, target and plan route tests. */

export const PROXY_TOKEN = "proxy-admin-token-never-shown-4f1c";

/** A token of the server's default team with `role`, made through the API. */
export async function tokenWithRole(server: TestServer, role: Role): Promise<string> {
  const created = await server.api(`/api/v1/teams/${server.team}/tokens`, { json: { name: `${role}-${randomUUID().slice(0, 8)}`, role } });
  expect(created.status).toBe(201);
  return ((await created.json()) as { token: string }).token;
}

/** Another team, made straight in the store, and an admin token of it. */
export async function otherTeam(server: TestServer, slug = "other-team"): Promise<{ slug: string; token: string }> {
  const { identities, clock } = server.services;
  const team = await identities.createTeam({ id: randomUUID(), slug, name: slug, createdAt: new Date(clock.now()) });
  if (team === "slug_taken") throw new Error(`team ${slug} exists`);
  const token = `gp_other_team_token_${randomUUID().replaceAll("-", "")}`;
  await identities.createToken({
    id: randomUUID(),
    teamId: team.id,
    name: "other-admin",
    role: "admin",
    hash: hashSecret(token),
    prefix: token.slice(0, 10),
    createdBy: "test",
    createdAt: new Date(clock.now()),
    expiresAt: null,
    lastUsedAt: null,
    revokedAt: null,
  });
  return { slug, token };
}

export async function json<T = Record<string, unknown>>(response: Response): Promise<T> {
  return (await response.json()) as T;
}

/** The fields a problem answer names, sorted. */
export async function problemFields(response: Response): Promise<string[]> {
  const body = await json<{ error: { fields?: { field: string }[] } }>(response);
  return (body.error.fields ?? []).map(({ field }) => field).sort();
}
