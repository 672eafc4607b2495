import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ACCOUNT_ID, TOKEN as CLOUDFLARE_TOKEN, WORKER, simulatedWorker } from "../platforms/cloudflare/test-harness.js";
import { proxyWithTwoVersions, stopEverything } from "../platforms/local/test-harness.js";
import { PlatformError } from "../platforms/types.js";
import { ConfigStore, type Connection } from "../store/config-store.js";
import type { OpenDatabase } from "../store/database.js";
import { openMemoryDatabase } from "../store/memory-database.test-support.js";
import { teams } from "../store/schema.js";
import { SecretBox } from "./auth/secret-box.js";
import { ServerMetrics } from "./metrics.js";
import { createPlatformConnector, openConnectionSecret, sealConnectionSecret, targetRefFor, testConnection } from "./platform-connections.js";

const TOKEN = "proxy-token-for-the-connector";

describe("the engine's platform connector", () => {
  let database: OpenDatabase;
  let store: ConfigStore;
  const secrets = new SecretBox(randomBytes(32));
  const teamId = randomUUID();
  beforeAll(async () => {
    database = await openMemoryDatabase();
    store = new ConfigStore(database.db);
    await database.db.insert(teams).values({ id: teamId, slug: "connector", name: "connector", createdAt: new Date() });
  });
  afterAll(() => database.close());
  afterEach(() => stopEverything());

  async function saveConnection(name: string, platform: string, settings: Record<string, string>, secret: { apiToken?: string; adminToken?: string }) {
    const id = randomUUID();
    const now = new Date();
    const created = await store.createConnection({
      id,
      teamId,
      name,
      platform,
      settings,
      sealedSecret: sealConnectionSecret(secrets, id, secret),
      createdAt: now,
      updatedAt: now,
    });
    if (created === "name_taken") throw new Error("taken");
    return created;
  }

  it("stores what a release needs without credentials, and opens them per connection", async () => {
    const proxy = await proxyWithTwoVersions(TOKEN);
    const connection = await saveConnection("lab", "local", { adminUrl: proxy.adminUrl }, { adminToken: TOKEN });
    const ref = targetRefFor({ settings: {} }, connection);
    expect(ref).toEqual({ platform: "local", config: { proxyAdmin: proxy.adminUrl, connectionId: connection.id } });
    expect(JSON.stringify(ref)).not.toContain(TOKEN);

    const metrics = new ServerMetrics(async () => ({}));
    const connect = createPlatformConnector(database.db, secrets, metrics);
    const { target, metrics: source } = connect({ target: ref });
    expect(await target.currentSplit()).toEqual([{ version: "v1", percent: 100 }]);
    await target.applySplit(
      [
        { version: "v1", percent: 90 },
        { version: "v2", percent: 10 },
      ],
      "test",
    );
    expect(await connect({ target: ref }).target.currentSplit()).toHaveLength(2);
    expect(target.overrideHeaders("v2")).toEqual({ "x-glidepath-version": "v2" });
    await source.query({ from: new Date(Date.now() - 60_000), to: new Date() }, ["v1", "v2"]);

    const counted = await metrics.registry.getSingleMetricAsString("glidepath_platform_calls_total");
    expect(counted).toContain('platform="local",operation="currentSplit"} 2');
    expect(counted).toContain('platform="local",operation="applySplit"} 1');
    expect(counted).toContain('platform="local",operation="metricsQuery"} 1');
  });

  it("reads new credentials once the connection changes, and counts failures", async () => {
    const proxy = await proxyWithTwoVersions(TOKEN);
    const connection = await saveConnection("rotating", "local", { adminUrl: proxy.adminUrl }, { adminToken: "old-token" });
    const metrics = new ServerMetrics(async () => ({}));
    const connect = createPlatformConnector(database.db, secrets, metrics);
    const ref = targetRefFor({ settings: {} }, connection);

    const refused = await connect({ target: ref }).target.listVersions().catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(PlatformError);
    expect(await metrics.registry.getSingleMetricAsString("glidepath_platform_errors_total")).toContain('operation="listVersions"} 1');

    await store.updateConnection(teamId, connection.id, {
      sealedSecret: sealConnectionSecret(secrets, connection.id, { adminToken: TOKEN }),
      updatedAt: new Date(connection.updatedAt.getTime() + 1),
    });
    connect.invalidate(connection.id);
    expect((await connect({ target: ref }).target.listVersions()).map(({ id }) => id)).toEqual(["v1", "v2"]);
  });

  it("follows a moved proxy for releases that stored the old address", async () => {
    const before = await proxyWithTwoVersions();
    const after = await proxyWithTwoVersions();
    const connection = await saveConnection("moving", "local", { adminUrl: before.adminUrl }, {});
    const ref = targetRefFor({ settings: {} }, connection);
    let now = 0;
    const connect = createPlatformConnector(database.db, secrets, undefined, () => now);
    await connect({ target: ref }).target.applySplit([{ version: "v2", percent: 100 }], "on the old proxy");
    // Another replica moves the proxy: this one keeps the row it read for a few seconds, then reads it again.
    await store.updateConnection(teamId, connection.id, { settings: { adminUrl: after.adminUrl }, updatedAt: new Date(Date.now() + 5) });
    expect(await connect({ target: ref }).target.currentSplit()).toEqual([{ version: "v2", percent: 100 }]);
    now += 5_000;
    expect(await connect({ target: ref }).target.currentSplit()).toEqual([{ version: "v1", percent: 100 }]);
  });

  it("fails a release whose connection is gone or whose secret no longer opens, with a message", async () => {
    const proxy = await proxyWithTwoVersions();
    const connection = await saveConnection("doomed", "local", { adminUrl: proxy.adminUrl }, { adminToken: TOKEN });
    const ref = targetRefFor({ settings: {} }, connection);
    const otherKey = createPlatformConnector(database.db, new SecretBox(randomBytes(32)));
    await expect(otherKey({ target: ref }).target.currentSplit()).rejects.toThrow(/connection doomed: a stored secret cannot be opened/);

    await store.deleteConnection(teamId, connection.id);
    const connect = createPlatformConnector(database.db, secrets);
    await expect(connect({ target: ref }).target.currentSplit()).rejects.toThrow(/has been deleted/);
    await expect(connect({ target: { platform: "local", config: { proxyAdmin: proxy.adminUrl } } }).target.currentSplit()).rejects.toThrow(
      /names no server connection/,
    );
  });

  it("connects Cloudflare targets with the connection's token and the target's Worker", async () => {
    const { sim, versionIds } = await simulatedWorker();
    const connection: Connection = await saveConnection("cf", "cloudflare", { accountId: ACCOUNT_ID, apiBaseUrl: sim.url }, { apiToken: CLOUDFLARE_TOKEN });
    expect(openConnectionSecret(secrets, connection)).toEqual({ apiToken: CLOUDFLARE_TOKEN });
    const ref = targetRefFor({ settings: { worker: WORKER, metrics: "graphql" } }, connection);
    expect(ref.config).toEqual({ worker: WORKER, metrics: "graphql", accountId: ACCOUNT_ID, apiBaseUrl: sim.url, connectionId: connection.id });

    const connect = createPlatformConnector(database.db, secrets);
    expect(await connect({ target: ref }).target.currentSplit()).toEqual([{ version: versionIds[0], percent: 100 }]);
    expect(Object.keys(connect({ target: ref }).target.overrideHeaders("abc"))).toEqual(["Cloudflare-Workers-Version-Overrides"]);

    expect(await testConnection(connection, { apiToken: CLOUDFLARE_TOKEN })).toBeUndefined();
    expect((await testConnection(connection, { apiToken: "wrong" }))?.message).toMatch(/refused the API token/);
  });
});
