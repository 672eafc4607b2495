import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../test-support.js";

describe("API tokens", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it("shows a new token's secret once, then works with it until it is revoked", async () => {
    const created = await server.api(`/api/v1/teams/${server.team}/tokens`, { json: { name: "ci", role: "deployer" } });
    expect(created.status).toBe(201);
    const token = (await created.json()) as { id: string; token: string; prefix: string; role: string };
    expect(token.token).toMatch(/^gp_[0-9A-Za-z]{40}$/);
    expect(token.token.startsWith(token.prefix)).toBe(true);

    const listed = (await (await server.api(`/api/v1/teams/${server.team}/tokens`)).json()) as { tokens: Record<string, unknown>[] };
    const shown = listed.tokens.find((entry) => entry.id === token.id)!;
    expect(shown).not.toHaveProperty("token");
    expect(JSON.stringify(listed)).not.toContain(token.token);

    expect((await server.api(`/api/v1/teams/${server.team}/tokens`, { token: token.token })).status).toBe(403);
    const revoked = await server.api(`/api/v1/teams/${server.team}/tokens/${token.id}/revoke`, { method: "POST" });
    expect(revoked.status).toBe(200);
    const refused = await server.api(`/api/v1/teams/${server.team}/tokens`, { token: token.token });
    expect(refused.status).toBe(401);
  });

  it("names each bad field of a create request", async () => {
    const response = await server.api(`/api/v1/teams/${server.team}/tokens`, { json: { name: "", role: "owner", extra: 1 } });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { fields: { field: string }[] } };
    expect(body.error.fields.map((f) => f.field).sort()).toEqual(["body.extra", "body.name", "body.role"]);
  });
});
