import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ACCOUNT_ID, TOKEN as CLOUDFLARE_TOKEN, WORKER, simulatedWorker } from "../../platforms/cloudflare/test-harness.js";
import { deadUpstreamUrl, proxyWithTwoVersions, startTestProxy, stopEverything } from "../../platforms/local/test-harness.js";
import { startTestServer, type TestServer } from "../test-support.js";
import { json, otherTeam, problemFields, PROXY_TOKEN, tokenWithRole } from "./config.test-support.js";

interface TargetAnswer {
  id: string;
  name: string;
  platform: string;
  connection: string;
  settings: Record<string, unknown>;
  defaultPlan: string | null;
  liveSplit: { version: string; percent: number }[] | null;
  liveSplitError: string | null;
}

describe("targets", () => {
  let server: TestServer;
  const teamPath = () => `/api/v1/teams/${server.team}`;
  const targetsPath = () => `${teamPath()}/targets`;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());
  afterEach(() => stopEverything());

  async function localConnection(name: string, adminToken?: string) {
    const proxy = await proxyWithTwoVersions(adminToken);
    const created = await server.api(`${teamPath()}/connections`, { json: { name, platform: "local", adminUrl: proxy.adminUrl, adminToken } });
    expect(created.status).toBe(201);
    return proxy;
  }

  it("goes from a connection to a target, its versions and its live split, never showing the token", async () => {
    const proxy = await localConnection("lab", PROXY_TOKEN);
    const created = await server.api(targetsPath(), { json: { name: "checkout", connection: "lab", settings: {} } });
    expect(created.status).toBe(201);
    expect(await json(created)).toMatchObject({ name: "checkout", platform: "local", connection: "lab", settings: {}, defaultPlan: null });

    const versions = await server.api(`${targetsPath()}/checkout/versions`);
    expect(versions.status).toBe(200);
    const versionsText = await versions.text();
    expect(JSON.parse(versionsText)).toEqual({ versions: [expect.objectContaining({ id: "v1" }), expect.objectContaining({ id: "v2" })] });

    await proxy.setSplit(
      [
        { version: "v1", percent: 80 },
        { version: "v2", percent: 20 },
      ],
      "test",
    );
    const shown = await server.api(`${targetsPath()}/checkout`);
    const shownText = await shown.text();
    const target = JSON.parse(shownText) as TargetAnswer;
    expect(target.liveSplitError).toBeNull();
    expect(target.liveSplit).toEqual([
      { version: "v1", percent: 80 },
      { version: "v2", percent: 20 },
    ]);

    const listed = await server.api(targetsPath());
    const listedText = await listed.text();
    expect(JSON.parse(listedText)).toMatchObject({ targets: [{ name: "checkout", connection: "lab" }] });
    for (const text of [versionsText, shownText, listedText]) expect(text).not.toContain(PROXY_TOKEN);

    const calls = await server.services.metrics.registry.getSingleMetricAsString("glidepath_platform_calls_total");
    expect(calls).toContain('platform="local",operation="listVersions"');
    expect(calls).toContain('platform="local",operation="currentSplit"');
  });

  it("answers a target whose platform is down, without its live split and saying why", async () => {
    const proxy = await startTestProxy({ v1: await deadUpstreamUrl() });
    expect((await server.api(`${teamPath()}/connections`, { json: { name: "flaky", platform: "local", adminUrl: proxy.adminUrl } })).status).toBe(201);
    expect((await server.api(targetsPath(), { json: { name: "flaky-app", connection: "flaky" } })).status).toBe(201);
    await proxy.close();

    const shown = await server.api(`${targetsPath()}/flaky-app`);
    expect(shown.status).toBe(200);
    const target = await json<TargetAnswer>(shown);
    expect(target.liveSplit).toBeNull();
    expect(target.liveSplitError).toMatch(/cannot reach the proxy admin API/);

    const versions = await server.api(`${targetsPath()}/flaky-app/versions`);
    expect(versions.status).toBe(503);
    expect((await json<{ error: { message: string } }>(versions)).error.message).toMatch(/cannot list the versions of target flaky-app: cannot reach/);
  });

  it("checks settings against the connection's platform and names each bad field", async () => {
    await localConnection("strict");
    const localWithWorker = await server.api(targetsPath(), { json: { name: "bad", connection: "strict", settings: { worker: "shop" } } });
    expect(localWithWorker.status).toBe(400);
    expect(await problemFields(localWithWorker)).toEqual(["body.settings.worker"]);

    const unknownConnection = await server.api(targetsPath(), { json: { name: "bad", connection: "nowhere" } });
    expect(unknownConnection.status).toBe(400);
    expect(await problemFields(unknownConnection)).toEqual(["body.connection"]);

    const malformed = await server.api(targetsPath(), { json: { name: "Bad_Name", connection: "strict", settings: { lagSeconds: -1, extra: 1 } } });
    expect(malformed.status).toBe(400);
    expect(await problemFields(malformed)).toEqual(["body.name", "body.settings.extra", "body.settings.lagSeconds"]);

    const builtInDefault = await server.api(targetsPath(), { json: { name: "bad", connection: "strict", defaultPlan: "standard" } });
    expect(builtInDefault.status).toBe(400);
    expect(await problemFields(builtInDefault)).toEqual(["body.defaultPlan"]);
  });

  it("runs Cloudflare targets on the account's Worker and refuses a Worker that does not exist", async () => {
    const { sim, versionIds } = await simulatedWorker();
    const connection = { name: "cf", platform: "cloudflare", accountId: ACCOUNT_ID, apiToken: CLOUDFLARE_TOKEN, apiBaseUrl: sim.url };
    expect((await server.api(`${teamPath()}/connections`, { json: connection })).status).toBe(201);

    const missingWorker = await server.api(targetsPath(), { json: { name: "shop", connection: "cf", settings: {} } });
    expect(missingWorker.status).toBe(400);
    expect(await json(missingWorker)).toMatchObject({ error: { fields: [{ field: "body.settings.worker", message: expect.stringMatching(/is needed/) }] } });

    const unknownWorker = await server.api(targetsPath(), { json: { name: "shop", connection: "cf", settings: { worker: "no-such-worker" } } });
    expect(unknownWorker.status).toBe(422);
    expect((await json<{ error: { message: string } }>(unknownWorker)).error.message).toMatch(
      /no Worker named no-such-worker in account .*: check the target's worker and the connection's accountId/,
    );

    const created = await server.api(targetsPath(), { json: { name: "shop", connection: "cf", settings: { worker: WORKER, lagSeconds: 90 } } });
    expect(created.status).toBe(201);
    expect(await json(created)).toMatchObject({ platform: "cloudflare", settings: { worker: WORKER, metrics: "graphql", lagSeconds: 90 } });

    const versions = await json<{ versions: { id: string }[] }>(await server.api(`${targetsPath()}/shop/versions`));
    expect(versions.versions.map(({ id }) => id)).toEqual(versionIds.slice().reverse());
    const target = await json<TargetAnswer>(await server.api(`${targetsPath()}/shop`));
    expect(target.liveSplit).toEqual([{ version: versionIds[0], percent: 100 }]);
  });

  it("changes a target, keeps connections with targets, and deletes", async () => {
    await localConnection("first");
    await localConnection("second");
    expect((await server.api(targetsPath(), { json: { name: "movable", connection: "first" } })).status).toBe(201);
    expect((await server.api(targetsPath(), { json: { name: "movable", connection: "first" } })).status).toBe(409);
    const plan = { name: "gentle", stages: [{ percent: 10, soak: "5m" }, { percent: 100 }] };
    expect((await server.api(`${teamPath()}/plans`, { json: plan })).status).toBe(201);

    const changed = await server.api(`${targetsPath()}/movable`, { method: "PATCH", json: { connection: "second", defaultPlan: "gentle", name: "moved" } });
    expect(changed.status).toBe(200);
    expect(await json(changed)).toMatchObject({ name: "moved", connection: "second", defaultPlan: "gentle" });

    const inUse = await server.api(`${teamPath()}/connections/second`, { method: "DELETE" });
    expect(inUse.status).toBe(409);
    expect((await json<{ error: { message: string } }>(inUse)).error.message).toMatch(/used by targets moved;/);

    const cleared = await server.api(`${targetsPath()}/moved`, { method: "PATCH", json: { defaultPlan: null } });
    expect(await json(cleared)).toMatchObject({ defaultPlan: null });

    const viewer = await tokenWithRole(server, "viewer");
    expect((await server.api(`${targetsPath()}/moved`, { token: viewer })).status).toBe(200);
    expect((await server.api(`${targetsPath()}/moved/versions`, { token: viewer })).status).toBe(200);
    expect((await server.api(`${targetsPath()}/moved`, { method: "DELETE", token: viewer })).status).toBe(403);

    expect((await server.api(`${targetsPath()}/moved`, { method: "DELETE" })).status).toBe(204);
    expect((await server.api(`${teamPath()}/connections/second`, { method: "DELETE" })).status).toBe(204);
    const actions = await server.services.audit.list({ teamId: (await server.services.identities.teamBySlug(server.team))!.id, objectType: "target", limit: 10 });
    expect(actions.map(({ action }) => action)).toEqual(expect.arrayContaining(["target.create", "target.update", "target.delete"]));
  });

  it("never finds another team's target", async () => {
    await localConnection("mine");
    expect((await server.api(targetsPath(), { json: { name: "private", connection: "mine" } })).status).toBe(201);
    const other = await otherTeam(server, "target-outsiders");
    const theirs = `/api/v1/teams/${other.slug}/targets`;
    expect((await server.api(`${targetsPath()}/private`, { token: other.token })).status).toBe(404);
    for (const path of [`${theirs}/private`, `${theirs}/private/versions`]) {
      expect((await server.api(path, { token: other.token })).status).toBe(404);
    }
    expect((await server.api(`${theirs}/private`, { method: "DELETE", token: other.token })).status).toBe(404);
    // Nor can another team's target use this team's connection.
    const borrowed = await server.api(theirs, { json: { name: "borrowed", connection: "mine" }, token: other.token });
    expect(borrowed.status).toBe(400);
    expect(await problemFields(borrowed)).toEqual(["body.connection"]);
  });
});
