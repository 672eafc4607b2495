import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { proxyWithTwoVersions, stopEverything, type TestProxy } from "../../platforms/local/test-harness.js";
import { readEvents } from "../sse.test-support.js";
import { startTestServer, type TestServer } from "../test-support.js";
import { json, otherTeam, problemFields } from "./config.test-support.js";

interface Summary {
  id: string;
  state: string;
  stable: string;
  split: { version: string; percent: number }[];
  nextRunAt: string | null;
  ticketUrl: string | null;
}

const MANUAL_PLAN = {
  name: "manual",
  stages: [{ percent: 50, progression: "manual" }, { percent: 100 }],
  slos: [{ sli: "error_rate", max: 0.05 }],
  policy: { checkInterval: "1s", minRequests: 10 },
};

describe("release routes", () => {
  let server: TestServer;
  let proxy: TestProxy;
  const base = () => `/api/v1/teams/${server.team}`;

  beforeAll(async () => {
    server = await startTestServer();
    proxy = await proxyWithTwoVersions();
    for (const [path, body] of [
      ["/connections", { name: "proxy", platform: "local", adminUrl: proxy.adminUrl }],
      ["/targets", { name: "shop", connection: "proxy", settings: {} }],
      ["/plans", MANUAL_PLAN],
    ] as const) {
      const response = await server.api(base() + path, { json: body });
      expect(response.status, await response.clone().text()).toBe(201);
    }
  });
  afterAll(async () => {
    await server.close();
    await stopEverything();
  });

  it("refuses a release it cannot run, naming what to fix", async () => {
    const unknownTarget = await server.api(`${base()}/releases`, { json: { target: "nope", candidate: "v2" } });
    expect(unknownTarget.status).toBe(400);
    expect(await problemFields(unknownTarget)).toEqual(["body.target"]);

    for (const plan of ["nope", "toString", "__proto__"]) {
      const unknownPlan = await server.api(`${base()}/releases`, { json: { target: "shop", candidate: "v2", plan } });
      expect(unknownPlan.status, plan).toBe(400);
      expect(await problemFields(unknownPlan)).toEqual(["body.plan"]);
    }

    const notAUrl = await server.api(`${base()}/releases`, { json: { target: "shop", candidate: "v2", ticketUrl: "JIRA-42" } });
    expect(notAUrl.status).toBe(400);
    expect(await problemFields(notAUrl)).toEqual(["body.ticketUrl"]);

    const unknownVersion = await server.api(`${base()}/releases`, { json: { target: "shop", candidate: "v9" } });
    expect(unknownVersion.status).toBe(409);
    expect((await json<{ error: { message: string } }>(unknownVersion)).error.message).toContain('unknown version "v9"');
  });

  it("keeps a release pending until someone starts it, and one release per target at a time", async () => {
    const ticketUrl = "https://github.com/acme/shop/pull/42";
    const created = await server.api(`${base()}/releases`, { json: { target: "shop", candidate: "v2", plan: "manual", ticketUrl }, headers: { "Idempotency-Key": "k1" } });
    expect(created.status).toBe(201);
    const release = await json<Summary>(created);
    expect(release).toMatchObject({ state: "pending", stable: "v1", nextRunAt: null, ticketUrl });
    expect(await json<Summary>(await server.api(`${base()}/releases/${release.id}`))).toMatchObject({ ticketUrl });
    expect(release.split).toEqual([{ version: "v1", percent: 100 }]);

    const reusedKey = await server.api(`${base()}/releases`, { json: { target: "shop", candidate: "v2" }, headers: { "Idempotency-Key": "k1" } });
    expect(reusedKey.status).toBe(422);
    const second = await server.api(`${base()}/releases`, { json: { target: "shop", candidate: "v2", name: "another" } });
    expect(second.status).toBe(409);

    const stranger = await otherTeam(server);
    expect((await server.api(`${base()}/releases/${release.id}`, { token: stranger.token })).status).toBe(404);
    expect((await server.api(`/api/v1/teams/${stranger.slug}/releases/${release.id}`, { token: stranger.token })).status).toBe(404);
    expect((await server.api(`/api/v1/teams/${stranger.slug}/releases/${release.id}/cancel`, { token: stranger.token, method: "POST" })).status).toBe(404);

    expect((await server.api(`${base()}/releases/${release.id}/approve`, { method: "POST" })).status).toBe(409);
    const cancel = () => server.api(`${base()}/releases/${release.id}/cancel`, { json: { reason: "changed my mind" }, headers: { "Idempotency-Key": "c1" } });
    const cancelled = await cancel();
    expect(cancelled.status).toBe(200);
    expect(await json<Summary>(cancelled)).toMatchObject({ state: "cancelled" });
    const retried = await cancel();
    expect(retried.status).toBe(200);
    expect(retried.headers.get("idempotent-replayed")).toBe("true");
    expect((await server.api(`${base()}/releases/${release.id}/cancel`, { method: "POST" })).status).toBe(409);

    const listed = await json<{ releases: Summary[] }>(await server.api(`${base()}/releases?state=cancelled&target=shop`));
    expect(listed.releases.map((entry) => entry.id)).toEqual([release.id]);
    expect((await json<{ releases: Summary[] }>(await server.api(`${base()}/releases?state=running`))).releases).toEqual([]);
    const badState = await server.api(`${base()}/releases?state=running,bogus`);
    expect(badState.status).toBe(400);
    expect(await problemFields(badState)).toEqual(["query.state"]);
  });

  it("lets one of two people approving the same stage at once win; the other gets 409", async () => {
    const created = await server.api(`${base()}/releases`, { json: { target: "shop", candidate: "v2", plan: "manual", autoStart: true } });
    expect(created.status).toBe(201);
    const release = await json<Summary>(created);

    let done = false;
    const traffic = (async () => {
      while (!done) await (await fetch(proxy.proxyUrl)).text();
    })();
    const teamStream = await server.api(`${base()}/events?after=0`);
    const seen = await readEvents(teamStream, (event) => event.event === "awaiting_approval" && event.data.includes(release.id));
    expect(seen.map((event) => event.event)).toEqual(expect.arrayContaining(["release_created", "release_started", "stage_started"]));

    const approvals = await Promise.all([1, 2].map(() => server.api(`${base()}/releases/${release.id}/approve`, { method: "POST" })));
    expect(approvals.map((response) => response.status).sort()).toEqual([200, 409]);
    const audit = await json<{ entries: { action: string }[] }>(await server.api(`${base()}/audit?objectId=${release.id}&action=release.approve`));
    expect(audit.entries).toHaveLength(1);

    const rolledBack = await server.api(`${base()}/releases/${release.id}/rollback`, { json: { reason: "enough" } });
    done = true;
    await traffic;
    expect([200, 409]).toContain(rolledBack.status);
    const ended = await readEvents(await server.api(`${base()}/releases/${release.id}/events`), (event) => event.event === "end");
    expect(ended.at(-1)!.event).toBe("end");
  });
});
