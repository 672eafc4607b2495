import { request } from "undici";
import { afterEach, describe, expect, it } from "vitest";
import { proxyWithTwoVersions, stopEverything, type TestProxy } from "./test-harness.js";

afterEach(stopEverything);

async function call(proxy: TestProxy, method: string, path: string, options: { body?: string; token?: string } = {}) {
  const headers: Record<string, string> = options.token ? { authorization: `Bearer ${options.token}` } : {};
  const response = await request(`${proxy.adminUrl}${path}`, { method: method as "GET", headers, body: options.body });
  const text = await response.body.text();
  const isJson = String(response.headers["content-type"]).startsWith("application/json");
  return { status: response.statusCode, headers: response.headers, text, json: isJson ? JSON.parse(text) : undefined };
}

function putSplit(proxy: TestProxy, body: unknown, token?: string) {
  return call(proxy, "PUT", "/split", { body: typeof body === "string" ? body : JSON.stringify(body), token });
}

describe("admin API: happy path", () => {
  it("reads and changes the split, saving it and logging one line per change", async () => {
    const proxy = await proxyWithTwoVersions();
    expect((await call(proxy, "GET", "/split")).json.split).toEqual([{ version: "v1", percent: 100 }]);

    const split = [
      { version: "v1", percent: 95 },
      { version: "v2", percent: 5 },
    ];
    const changed = await putSplit(proxy, { split, note: "stage 1" });
    expect(changed.status).toBe(200);
    expect(changed.json).toMatchObject({ split, note: "stage 1" });
    expect(new Date(changed.json.updatedAt).getTime()).not.toBeNaN();

    expect((await call(proxy, "GET", "/split")).json).toEqual(changed.json);
    expect(proxy.logLines).toEqual(["split v1=95% v2=5% (stage 1)"]);
  });

  it("answers a repeated change the same way (idempotent) and keeps its canonical form", async () => {
    const proxy = await proxyWithTwoVersions();
    const body = { split: [{ version: "v2", percent: 100 }, { version: "v1", percent: 0 }] };
    const first = await putSplit(proxy, body);
    const second = await putSplit(proxy, body);
    expect(first.json.split).toEqual([{ version: "v2", percent: 100 }]);
    expect(second.json.split).toEqual(first.json.split);
    expect(proxy.logLines).toEqual(["split v2=100%", "split v2=100%"]);
  });

  it("lists the versions with their upstream URLs", async () => {
    const proxy = await proxyWithTwoVersions();
    const { versions } = (await call(proxy, "GET", "/versions")).json;
    expect(versions.map((version: { id: string }) => version.id)).toEqual(["v1", "v2"]);
    expect(versions[0].url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it("reports per-version stats for a window", async () => {
    const proxy = await proxyWithTwoVersions();
    for (const version of ["v1", "v1", "v2"]) await (await request(proxy.proxyUrl, { headers: { "x-glidepath-version": version } })).body.dump();

    const stats = (await call(proxy, "GET", `/stats?from=0&to=${Date.now() + 60_000}`)).json;
    expect(stats.proxyStartedAt).toBeTypeOf("number");
    expect(stats.latencyBucketBoundsMs).toContain(1000);
    expect(stats.versions.v1).toMatchObject({ requests: 2, errors: 0, byClass: { "2xx": 2 } });
    expect(stats.versions.v1.latencyBuckets).toHaveLength(stats.latencyBucketBoundsMs.length + 1);
    expect(stats.versions.v2.requests).toBe(1);
  });

  it("exposes Prometheus metrics: requests by class, latency histogram, current split", async () => {
    const proxy = await proxyWithTwoVersions();
    await putSplit(proxy, { split: [{ version: "v1", percent: 90 }, { version: "v2", percent: 10 }] });
    await (await request(proxy.proxyUrl, { headers: { "x-glidepath-version": "v2" } })).body.dump();

    const metrics = await call(proxy, "GET", "/metrics");
    expect(metrics.headers["content-type"]).toMatch(/^text\/plain/);
    expect(metrics.text).toContain('glidepath_proxy_requests_total{version="v2",status_class="2xx"} 1');
    expect(metrics.text).toContain('glidepath_proxy_request_duration_seconds_count{version="v2"} 1');
    expect(metrics.text).toContain('glidepath_proxy_split_percent{version="v1"} 90');
    expect(metrics.text).toContain('glidepath_proxy_split_percent{version="v2"} 10');
  });

  it("answers /healthz", async () => {
    const proxy = await proxyWithTwoVersions();
    expect(await call(proxy, "GET", "/healthz")).toMatchObject({ status: 200, json: { status: "ok" } });
  });
});

describe("admin API: errors", () => {
  it.each([
    ["a body that is not JSON", "{split:", "invalid_json", /the body must be JSON/],
    ["a missing split", {}, "invalid_request", /^split: expected array, received undefined$/],
    ["a percent that is not a number", { split: [{ version: "v1", percent: "100" }] }, "invalid_request", /^split\[0\]\.percent: expected number, received string \(got "100"\)$/],
    ["a misspelt field", { split: [{ version: "v1", precent: 100 }] }, "invalid_request", /split\[0\]: Unrecognized key: "precent"/],
    ["percents that do not sum to 100", { split: [{ version: "v1", percent: 90 }] }, "invalid_split", /^percents must sum to 100, got 90$/],
    ["a version listed twice", { split: [{ version: "v1", percent: 50 }, { version: "v1", percent: 50 }] }, "invalid_split", /only once/],
    [
      "a version without an upstream",
      { split: [{ version: "v1", percent: 50 }, { version: "v9", percent: 50 }] },
      "invalid_split",
      /^split names version v9, which is not an upstream of this proxy; known versions: v1, v2$/,
    ],
  ])("refuses %s with 400 naming the problem", async (_, body, code, message) => {
    const proxy = await proxyWithTwoVersions();
    const answer = await putSplit(proxy, body);
    expect(answer.status).toBe(400);
    expect(answer.json.error.code).toBe(code);
    expect(answer.json.error.message).toMatch(message);
    expect((await call(proxy, "GET", "/split")).json.split).toEqual([{ version: "v1", percent: 100 }]);
    expect(proxy.logLines).toEqual([]);
  });

  it("refuses a stats window that is not two epoch times in order", async () => {
    const proxy = await proxyWithTwoVersions();
    for (const query of ["", "?from=abc&to=5", "?from=10&to=5"]) {
      const answer = await call(proxy, "GET", `/stats${query}`);
      expect(answer.status).toBe(400);
      expect(answer.json.error.message).toMatch(/from and to are epoch milliseconds/);
    }
  });

  it("answers unknown routes with 404 listing the routes", async () => {
    const proxy = await proxyWithTwoVersions();
    const answer = await call(proxy, "GET", "/splits");
    expect(answer.status).toBe(404);
    expect(answer.json.error.message).toBe("no route GET /splits; routes: /split, /versions, /stats, /metrics, /healthz");
  });
});

describe("admin API: security", () => {
  const TOKEN = "s3cret-token";

  it.each(["/split", "/versions", "/stats?from=0&to=1", "/metrics"])("answers 401 on %s without the token", async (path) => {
    const proxy = await proxyWithTwoVersions(TOKEN);
    const answer = await call(proxy, "GET", path);
    expect(answer.status).toBe(401);
    expect(answer.headers["www-authenticate"]).toBe("Bearer");
    expect(answer.json.error).toEqual({ code: "unauthorized", message: "the proxy admin API needs the header Authorization: Bearer <admin token>" });
  });

  it("answers 401 to a wrong token and changes nothing", async () => {
    const proxy = await proxyWithTwoVersions(TOKEN);
    const answer = await putSplit(proxy, { split: [{ version: "v2", percent: 100 }] }, "wrong");
    expect(answer.status).toBe(401);
    expect(answer.json.error.message).toMatch(/refused the token/);
    expect(proxy.currentSplit().split).toEqual([{ version: "v1", percent: 100 }]);
  });

  it("serves every route with the right token and /healthz without one", async () => {
    const proxy = await proxyWithTwoVersions(TOKEN);
    expect((await call(proxy, "GET", "/split", { token: TOKEN })).status).toBe(200);
    expect((await putSplit(proxy, { split: [{ version: "v2", percent: 100 }] }, TOKEN)).status).toBe(200);
    expect((await call(proxy, "GET", "/healthz")).status).toBe(200);
  });
});
