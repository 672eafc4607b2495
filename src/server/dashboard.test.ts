import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mountDashboard } from "./dashboard.js";

describe("the dashboard's files", () => {
  let built: string;
  const app = new Hono();

  beforeAll(async () => {
    built = await mkdtemp(join(tmpdir(), "glidepath-web-"));
    await mkdir(join(built, "assets"));
    await writeFile(join(built, "index.html"), "<!doctype html><title>Glidepath</title>");
    await writeFile(join(built, "assets", "index-abc123.js"), "console.log('hi')");
    app.get("/api/v1/known", (c) => c.json({ ok: true }));
    mountDashboard(app, built);
    app.notFound((c) => c.json({ error: { code: "not_found" } }, 404));
  });
  afterAll(() => rm(built, { recursive: true, force: true }));

  it("answers every page address with index.html, since the app routes in the browser", async () => {
    for (const path of ["/", "/sign-in", "/t/default/releases/3f1c", "/releases/3f1c"]) {
      const response = await app.request(path);
      expect(response.status, path).toBe(200);
      expect(await response.text()).toContain("<title>Glidepath</title>");
      expect(response.headers.get("cache-control")).toBe("no-cache");
    }
  });

  it("serves hashed assets to be cached for good", async () => {
    const response = await app.request("/assets/index-abc123.js");
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("console.log('hi')");
    expect(response.headers.get("cache-control")).toContain("immutable");
  });

  it("leaves the API, docs, probes and missing assets alone: they stay a JSON 404", async () => {
    expect(await (await app.request("/api/v1/known")).json()).toEqual({ ok: true });
    for (const path of ["/api/v1/nope", "/api/nope", "/assets/gone-123.js", "/docs/nope", "/healthz/x", "/metrics/x"]) {
      const response = await app.request(path);
      expect(response.status, path).toBe(404);
      expect(response.headers.get("content-type"), path).toContain("application/json");
    }
  });

  it("says how to build the dashboard when it is not built", async () => {
    const bare = new Hono();
    mountDashboard(bare, join(built, "missing"));
    const response = await bare.request("/t/default/releases");
    expect(response.status).toBe(503);
    expect(await response.text()).toContain("npm run build:web");
  });
});
