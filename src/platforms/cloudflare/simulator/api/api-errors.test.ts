import { describe, expect, it } from "vitest";
import { SCRIPT, scriptPath, startFixture } from "../test-harness.js";

async function failure(response: Response) {
  return { status: response.status, body: await response.json() };
}

function refused(code: number, message: string | RegExp) {
  return { success: false, errors: [{ code, message: expect.stringMatching(message) }], messages: [], result: null };
}

describe("authentication", () => {
  it("answers 400/9106 without credentials", async () => {
    const { api } = await startFixture();
    const { status, body } = await failure(await api(scriptPath("/versions"), { headers: { authorization: "" } }));
    expect(status).toBe(400);
    expect(body).toEqual(refused(9106, /Missing/));
  });

  it("answers 400/6003 when the Authorization header is not a bearer token", async () => {
    const { api } = await startFixture();
    const { status, body } = await failure(await api(scriptPath("/versions"), { headers: { authorization: "Basic abc" } }));
    expect(status).toBe(400);
    expect(body).toEqual(refused(6003, /Invalid request headers/));
  });

  it("answers 403/10000 for a wrong token", async () => {
    const { api } = await startFixture();
    const { status, body } = await failure(await api(scriptPath("/versions"), { headers: { authorization: "Bearer wrong" } }));
    expect(status).toBe(403);
    expect(body).toEqual(refused(10000, "Authentication error"));
  });

  it("answers 403/10000 for an account the token cannot reach", async () => {
    const { api } = await startFixture();
    const { status, body } = await failure(await api(`/accounts/${"f".repeat(32)}/workers/scripts/${SCRIPT}/versions`));
    expect(status).toBe(403);
    expect(body).toEqual(refused(10000, "Authentication error"));
  });
});

describe("lookups", () => {
  it("answers 404/10007 for an unknown script", async () => {
    const { api } = await startFixture();
    const { status, body } = await failure(await api(scriptPath("/versions").replace(SCRIPT, "nope")));
    expect(status).toBe(404);
    expect(body).toEqual(refused(10007, "workers.api.error.script_not_found"));
  });

  it("answers 404/10007 for an unknown version or deployment", async () => {
    const { api } = await startFixture();
    const missing = "00000000-0000-4000-8000-000000000000";
    expect(await failure(await api(scriptPath(`/versions/${missing}`)))).toEqual({ status: 404, body: refused(10007, "workers.api.error.version_not_found") });
    expect(await failure(await api(scriptPath(`/deployments/${missing}`)))).toEqual({
      status: 404,
      body: refused(10007, "workers.api.error.deployment_not_found"),
    });
  });

  it("answers 404/7003 for an unknown route", async () => {
    const { api } = await startFixture();
    const { status, body } = await failure(await api(scriptPath("/settings-that-do-not-exist")));
    expect(status).toBe(404);
    expect(body).toEqual(refused(7003, /Could not route to \/client\/v4\/accounts\/.*\/settings-that-do-not-exist/));
  });
});

describe("deployment validation", () => {
  async function deploy(body: unknown) {
    const fixture = await startFixture();
    const [stable] = fixture.versionIds;
    const second = fixture.sim.control.addVersion(SCRIPT).id;
    const third = fixture.sim.control.addVersion(SCRIPT).id;
    const text = JSON.stringify(body).replaceAll("STABLE", stable!).replaceAll("SECOND", second).replaceAll("THIRD", third);
    return failure(await fixture.api(scriptPath("/deployments"), { method: "POST", body: text }));
  }

  it.each([
    ["three versions", [["STABLE", 50], ["SECOND", 25], ["THIRD", 25]], /one or two versions/],
    ["a total of 99", [["STABLE", 90], ["SECOND", 9]], /must total 100, got 99/],
    ["an unknown version", [["STABLE", 90], ["00000000-0000-4000-8000-000000000000", 10]], /does not exist/],
    ["a negative percentage", [["STABLE", 110], ["SECOND", -10]], /between 0 and 100/],
    ["a version twice", [["STABLE", 50], ["STABLE", 50]], /more than once/],
    ["no versions", [], /one or two versions/],
  ])("refuses %s with 400/10021", async (_name, versions, message) => {
    const body = { strategy: "percentage", versions: versions.map(([version_id, percentage]) => ({ version_id, percentage })) };
    expect(await deploy(body)).toEqual({ status: 400, body: refused(10021, message) });
  });

  it("refuses another strategy and a body that is not JSON", async () => {
    expect(await deploy({ strategy: "immediate", versions: [{ version_id: "STABLE", percentage: 100 }] })).toEqual({
      status: 400,
      body: refused(10021, /strategy must be "percentage"/),
    });
    const { api } = await startFixture();
    expect(await failure(await api(scriptPath("/deployments"), { method: "POST", body: "{" }))).toEqual({
      status: 400,
      body: refused(10021, /not valid JSON/),
    });
  });

  it("refuses a version older than the newest 100", async () => {
    const { sim, api, versionIds } = await startFixture();
    for (let i = 0; i < 100; i++) sim.control.addVersion(SCRIPT);
    const body = JSON.stringify({ strategy: "percentage", versions: [{ version_id: versionIds[0], percentage: 100 }] });
    expect(await failure(await api(scriptPath("/deployments"), { method: "POST", body }))).toEqual({
      status: 400,
      body: refused(10021, /newest 100/),
    });
  });
});

describe("injected faults", () => {
  it("answers 429 with retry-after and x-ratelimit headers for the injected count, then recovers", async () => {
    const { sim, api } = await startFixture();
    sim.control.injectFault({ status: 429, count: 2, retryAfterSeconds: 7 });

    for (let i = 0; i < 2; i++) {
      const response = await api(scriptPath("/versions"));
      expect(response.status).toBe(429);
      expect(response.headers.get("retry-after")).toBe("7");
      expect(response.headers.get("x-ratelimit-limit")).toBe("1200");
      expect(response.headers.get("x-ratelimit-remaining")).toBe("0");
      expect(await response.json()).toEqual(refused(971, /throttling/));
    }
    expect((await api(scriptPath("/versions"))).status).toBe(200);
  });

  it("answers an injected 5xx until the given time on the simulator's clock", async () => {
    let now = Date.parse("2026-01-01T00:00:00Z");
    const { sim, api } = await startFixture({ clock: { now: () => now } });
    sim.control.injectFault({ status: 503, untilMs: now + 1000 });

    const during = await failure(await api(scriptPath("/versions")));
    expect(during).toEqual({ status: 503, body: refused(10013, /unknown error/) });
    now += 1000;
    expect((await api(scriptPath("/versions"))).status).toBe(200);
  });
});
