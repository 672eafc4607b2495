import { eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ACCOUNT_ID, TOKEN as CLOUDFLARE_TOKEN, simulatedWorker } from "../../platforms/cloudflare/test-harness.js";
import { deadUpstreamUrl, proxyWithTwoVersions, stopEverything } from "../../platforms/local/test-harness.js";
import { connections } from "../../store/schema.js";
import { startTestServer, type TestServer } from "../test-support.js";
import { json, otherTeam, problemFields, PROXY_TOKEN, tokenWithRole } from "./config.test-support.js";

describe("connections", () => {
  let server: TestServer;
  const base = () => `/api/v1/teams/${server.team}/connections`;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());
  afterEach(() => stopEverything());

  it("tries a local proxy's credentials, then keeps them sealed and never shows them", async () => {
    const proxy = await proxyWithTwoVersions(PROXY_TOKEN);
    const created = await server.api(base(), { json: { name: "lab", platform: "local", adminUrl: proxy.adminUrl, adminToken: PROXY_TOKEN } });
    expect(created.status).toBe(201);
    const connection = await json<{ id: string }>(created.clone());
    expect(await created.json()).toMatchObject({ name: "lab", platform: "local", adminUrl: proxy.adminUrl, hasSecret: true });

    const answers = [await server.api(base()), await server.api(`${base()}/lab`)];
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      expect(await answer.text()).not.toContain(PROXY_TOKEN);
    }
    const [row] = await server.services.db.select().from(connections).where(eq(connections.id, connection.id));
    expect(row!.sealedSecret).not.toContain(PROXY_TOKEN);
    expect(JSON.stringify(row)).not.toContain(PROXY_TOKEN);
    expect(server.services.secrets.open(row!.sealedSecret, `connection:${connection.id}`)).toBe(JSON.stringify({ adminToken: PROXY_TOKEN }));

    const [entry] = await server.services.audit.list({ teamId: row!.teamId, action: "connection.create", limit: 1 });
    expect(entry).toMatchObject({ objectId: connection.id });
    expect(JSON.stringify(entry)).not.toContain(PROXY_TOKEN);
  });

  it("refuses a proxy it cannot reach or whose token is wrong, saying why", async () => {
    const proxy = await proxyWithTwoVersions(PROXY_TOKEN);
    const wrongToken = await server.api(base(), { json: { name: "bad-token", platform: "local", adminUrl: proxy.adminUrl, adminToken: "nope-nope" } });
    expect(wrongToken.status).toBe(422);
    expect((await json<{ error: { message: string } }>(wrongToken)).error.message).toMatch(/refused the token; check the connection's adminToken/);

    const noToken = await server.api(base(), { json: { name: "no-token", platform: "local", adminUrl: proxy.adminUrl } });
    expect(noToken.status).toBe(422);
    expect((await json<{ error: { message: string } }>(noToken)).error.message).toMatch(/needs a token/);

    const dead = await deadUpstreamUrl();
    const unreachable = await server.api(base(), { json: { name: "dead", platform: "local", adminUrl: dead } });
    expect(unreachable.status).toBe(422);
    expect((await json<{ error: { message: string } }>(unreachable)).error.message).toContain(`cannot reach the proxy admin API at ${dead}`);

    const trafficPort = await server.api(base(), { json: { name: "traffic", platform: "local", adminUrl: proxy.proxyUrl, adminToken: PROXY_TOKEN } });
    expect(trafficPort.status).toBe(422);

    const listed = await json<{ connections: { name: string }[] }>(await server.api(base()));
    expect(listed.connections.map(({ name }) => name)).not.toEqual(expect.arrayContaining(["bad-token", "no-token", "dead", "traffic"]));
  });

  it("names each bad field, including those of the other platform", async () => {
    const response = await server.api(base(), { json: { name: "Bad Name", platform: "local", adminUrl: "ftp://x", accountId: ACCOUNT_ID } });
    expect(response.status).toBe(400);
    expect(await problemFields(response)).toEqual(["body.accountId", "body.adminUrl", "body.name"]);

    const unknownPlatform = await server.api(base(), { json: { name: "x", platform: "aws" } });
    expect(unknownPlatform.status).toBe(400);
    const body = await json<{ error: { fields: { field: string; message: string }[] } }>(unknownPlatform);
    expect(body.error.fields).toEqual([{ field: "body.platform", message: 'must be one of "local", "cloudflare"' }]);
  });

  it("checks a Cloudflare token against the account and refuses a wrong token or account", async () => {
    const { sim } = await simulatedWorker();
    const good = { name: "cf", platform: "cloudflare", accountId: ACCOUNT_ID, apiToken: CLOUDFLARE_TOKEN, apiBaseUrl: sim.url };
    const created = await server.api(base(), { json: good });
    expect(created.status).toBe(201);
    const text = await created.text();
    expect(text).not.toContain(CLOUDFLARE_TOKEN);
    expect(JSON.parse(text)).toMatchObject({ platform: "cloudflare", accountId: ACCOUNT_ID, apiBaseUrl: sim.url, hasSecret: true });

    const wrongToken = await server.api(base(), { json: { ...good, name: "cf-bad", apiToken: "not-the-token" } });
    expect(wrongToken.status).toBe(422);
    expect((await json<{ error: { message: string } }>(wrongToken)).error.message).toMatch(/Cloudflare refused the API token: check the connection's apiToken/);

    const wrongAccount = await server.api(base(), { json: { ...good, name: "cf-other", accountId: "0".repeat(32) } });
    expect(wrongAccount.status).toBe(422);

    const metrics = await server.services.metrics.registry.getSingleMetricAsString("glidepath_platform_errors_total");
    expect(metrics).toMatch(/platform="cloudflare",operation="verifyAccount"} 2/);
  });

  it("changes settings and credentials after trying them, and renames", async () => {
    const proxy = await proxyWithTwoVersions(PROXY_TOKEN);
    const other = await proxyWithTwoVersions();
    expect((await server.api(base(), { json: { name: "moving", platform: "local", adminUrl: proxy.adminUrl, adminToken: PROXY_TOKEN } })).status).toBe(201);

    const stillNeedsToken = await server.api(`${base()}/moving`, { method: "PATCH", json: { adminToken: "wrong-token" } });
    expect(stillNeedsToken.status).toBe(422);

    const moved = await server.api(`${base()}/moving`, { method: "PATCH", json: { adminUrl: other.adminUrl, adminToken: null, name: "moved" } });
    expect(moved.status).toBe(200);
    expect(await moved.json()).toMatchObject({ name: "moved", adminUrl: other.adminUrl, hasSecret: false });
    expect((await server.api(`${base()}/moving`)).status).toBe(404);

    const misplaced = await server.api(`${base()}/moved`, { method: "PATCH", json: { accountId: ACCOUNT_ID } });
    expect(misplaced.status).toBe(400);
    expect(await problemFields(misplaced)).toEqual(["body.accountId"]);

    expect((await server.api(base(), { json: { name: "taken", platform: "local", adminUrl: other.adminUrl } })).status).toBe(201);
    expect((await server.api(base(), { json: { name: "taken", platform: "local", adminUrl: other.adminUrl } })).status).toBe(409);
    expect((await server.api(`${base()}/moved`, { method: "PATCH", json: { name: "taken" } })).status).toBe(409);

    expect((await server.api(`${base()}/taken`, { method: "DELETE" })).status).toBe(204);
    expect((await server.api(`${base()}/taken`)).status).toBe(404);
  });

  it("lets viewers read and only admins change", async () => {
    const proxy = await proxyWithTwoVersions();
    const viewer = await tokenWithRole(server, "viewer");
    const deployer = await tokenWithRole(server, "deployer");
    const input = { name: "roles", platform: "local", adminUrl: proxy.adminUrl };
    expect((await server.api(base(), { json: input, token: deployer })).status).toBe(403);
    expect((await server.api(base(), { json: input })).status).toBe(201);
    expect((await server.api(`${base()}/roles`, { token: viewer })).status).toBe(200);
    expect((await server.api(`${base()}/roles`, { method: "DELETE", token: viewer })).status).toBe(403);
  });

  it("never finds another team's connection", async () => {
    const proxy = await proxyWithTwoVersions();
    expect((await server.api(base(), { json: { name: "ours", platform: "local", adminUrl: proxy.adminUrl } })).status).toBe(201);
    const other = await otherTeam(server, "conn-outsiders");
    const theirs = `/api/v1/teams/${other.slug}/connections`;
    expect((await server.api(`${base()}/ours`, { token: other.token })).status).toBe(404);
    expect((await server.api(`${theirs}/ours`, { token: other.token })).status).toBe(404);
    expect((await server.api(`${theirs}/ours`, { method: "PATCH", json: { name: "mine" }, token: other.token })).status).toBe(404);
    expect((await server.api(`${theirs}/ours`, { method: "DELETE", token: other.token })).status).toBe(404);
    expect(await json(await server.api(theirs, { token: other.token }))).toEqual({ connections: [] });
    // The same name is free in another team.
    expect((await server.api(theirs, { json: { name: "ours", platform: "local", adminUrl: proxy.adminUrl }, token: other.token })).status).toBe(201);
  });
});
