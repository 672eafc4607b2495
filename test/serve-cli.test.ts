import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { proxyWithTwoVersions, stopEverything } from "../src/platforms/local/test-harness.js";
import { runCli, startCli } from "./support/cli.js";

const TOKEN = "gp_serve_cli_test_token_0123456789";

async function serveOnce(dataDir: string, env: NodeJS.ProcessEnv = {}) {
  const cli = startCli(["serve", "--port", "0", "--data-dir", dataDir], { env });
  const line = await cli.waitForLine((text) => text.startsWith("glidepath serve: "));
  const url = /(http:\/\/\S+)/.exec(line)![1]!;
  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${url}/api/v1/teams/default${path}`, {
      ...init,
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json", ...init.headers },
    });
  const stop = async () => {
    cli.child.kill("SIGTERM");
    return cli.exited;
  };
  return { cli, url, api, stop };
}

describe("glidepath serve", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "glidepath-serve-"));
  afterAll(async () => {
    rmSync(dataDir, { recursive: true, force: true });
    await stopEverything();
  });

  it("prints a one-time setup link when nobody can sign in, and the page it opens", async () => {
    const fresh = mkdtempSync(join(tmpdir(), "glidepath-serve-setup-"));
    try {
      const server = await serveOnce(fresh);
      const link = await server.cli.waitForLine((text) => text.includes("/setup#"));
      const url = new URL(link.trim());
      expect((await fetch(new URL("/setup", url))).status).toBe(200);
      const setup = await fetch(new URL("/api/v1/setup", url), {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ setupToken: url.hash.slice(1), email: "first@example.com", password: "a long enough password", name: "First" }),
      });
      expect(setup.status).toBe(201);
      expect(statSync(join(fresh, "secret.key")).mode & 0o777).toBe(0o600);
      expect(await server.stop()).toEqual({ code: 0, signal: null });
    } finally {
      rmSync(fresh, { recursive: true, force: true });
    }
  });

  it("keeps teams, tokens and releases across a restart, and the release goes on where it was; a later bootstrap token is ignored", async () => {
    const proxy = await proxyWithTwoVersions();
    const first = await serveOnce(dataDir, { GLIDEPATH_BOOTSTRAP_TOKEN: TOKEN });
    expect((await fetch(`${first.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${first.url}/docs`)).headers.get("content-type")).toContain("text/html");
    for (const [path, body] of [
      ["/connections", { name: "proxy", platform: "local", adminUrl: proxy.adminUrl }],
      ["/targets", { name: "shop", connection: "proxy", settings: {} }],
      ["/plans", { name: "held", stages: [{ percent: 30, progression: "manual" }, { percent: 100 }], policy: { checkInterval: "1s", minRequests: 0 } }],
    ] as const) {
      expect((await first.api(path, { method: "POST", body: JSON.stringify(body) })).status).toBe(201);
    }
    const created = await first.api("/releases", { method: "POST", body: JSON.stringify({ target: "shop", candidate: "v2", plan: "held" }) });
    const release = (await created.json()) as { id: string };
    expect((await first.api(`/releases/${release.id}/start`, { method: "POST" })).status).toBe(200);
    expect(await first.stop()).toEqual({ code: 0, signal: null });

    const ignoredToken = "gp_a_different_token_is_ignored_now";
    const second = await serveOnce(dataDir, { GLIDEPATH_BOOTSTRAP_TOKEN: ignoredToken });
    expect((await second.api("/releases", { headers: { authorization: `Bearer ${ignoredToken}` } })).status).toBe(401);
    const stream = await second.api(`/releases/${release.id}/events`);
    const reader = stream.body!.getReader();
    let text = "";
    while (!text.includes("event: split_applied")) text += new TextDecoder().decode((await reader.read()).value);
    await reader.cancel();
    const detail = (await (await second.api(`/releases/${release.id}`)).json()) as { state: string; stage: { percent: number } };
    expect(detail.stage.percent).toBe(30);
    expect((await fetch(`${proxy.adminUrl}/split`).then((response) => response.json()) as { split: unknown }).split).toEqual([
      { version: "v1", percent: 70 },
      { version: "v2", percent: 30 },
    ]);
    expect(await second.stop()).toEqual({ code: 0, signal: null });
  });

  it("refuses a bad setting with a message and exit code 2", async () => {
    const { code, stderr } = await runCli(["serve", "--port", "0", "--data-dir", dataDir], { GLIDEPATH_SECRET_KEY: "short" });
    expect(code).toBe(2);
    expect(stderr).toContain("GLIDEPATH_SECRET_KEY must hold a 32-byte key");
  });
});
