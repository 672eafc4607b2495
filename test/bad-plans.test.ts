import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BAD_PLANS } from "../src/core/bad-plans.test-support.js";
import { checkPlanDocument } from "../src/core/plan-check.js";
import { readPlanDocument } from "../src/core/plan-text.js";
import { proxyWithTwoVersions, stopEverything } from "../src/platforms/local/test-harness.js";
import { ConfigStore } from "../src/store/config-store.js";
import { ADMIN_TOKEN, startTestServer, type TestServer } from "../src/server/test-support.js";
import { closeServer, listen } from "../src/support/listen.js";
import { runCli } from "./support/cli.js";

const SCENARIO = "stable: { errorRate: 0.005, latencyMs: { p50: 40, p99: 250 } }\ncandidate: { errorRate: 0.005, latencyMs: { p50: 40, p99: 250 } }\n";

/**
 * One bad plan, one message, wherever it comes in: `plan lint`, `plan apply`, `rollout --plan`
 * and `simulate --plan` as processes (exit 2), the plans API and release creation (400; the
 * validate route answers valid: false), and the dashboard editor's check; nothing starts.
 */
describe("a plan past a limit is refused the same way everywhere", () => {
  let server: TestServer;
  let dir: string;
  let proxyAdmin: ReturnType<typeof createServer>;
  let proxyAdminUrl: string;
  const proxyAdminRequests: string[] = [];
  const fileOf = (name: string) => join(dir, `${name}.yaml`);
  const plansPath = () => `/api/v1/teams/${server.team}/plans`;

  beforeAll(async () => {
    [server, dir] = await Promise.all([startTestServer(), mkdtemp(join(tmpdir(), "glidepath-bad-plans-"))]);
    await Promise.all([...BAD_PLANS.map(({ name, text }) => writeFile(fileOf(name), text)), writeFile(join(dir, "scenario.yaml"), SCENARIO)]);
    proxyAdmin = createServer((request, response) => {
      proxyAdminRequests.push(`${request.method} ${request.url}`);
      response.writeHead(503).end();
    });
    const { host, port } = await listen(proxyAdmin, { host: "127.0.0.1", port: 0 });
    proxyAdminUrl = `http://${host}:${port}`;
  });
  afterAll(async () => {
    await stopEverything();
    await server?.close();
    if (proxyAdmin) await closeServer(proxyAdmin);
    await rm(dir, { recursive: true, force: true });
  });

  it("plan lint names each file and its problem, and exits 2", async () => {
    const { code, stderr } = await runCli(["plan", "lint", ...BAD_PLANS.map(({ name }) => fileOf(name))]);
    expect(code).toBe(2);
    for (const { name, message } of BAD_PLANS) {
      expect(stderr).toContain(`invalid ${fileOf(name)}`);
      expect(stderr).toContain(message);
    }
  });

  it("plan apply sends nothing, and exits 2", async () => {
    const { code, stderr } = await runCli(["plan", "apply", "-f", ...BAD_PLANS.map(({ name }) => fileOf(name))], {
      GLIDEPATH_SERVER: server.url,
      GLIDEPATH_TOKEN: ADMIN_TOKEN,
      XDG_CONFIG_HOME: join(dir, "config"),
    });
    expect(code).toBe(2);
    for (const { message } of BAD_PLANS) expect(stderr).toContain(message);
    expect(stderr).toContain(`nothing was applied: ${BAD_PLANS.length} of ${BAD_PLANS.length} plan files are invalid`);
  });

  it.each(BAD_PLANS)("rollout refuses $what before it touches the platform, and exits 2", async ({ name, message }) => {
    const dataDir = join(dir, `rollout-${name}`);
    const { code, stderr } = await runCli(["rollout", "--proxy-admin", proxyAdminUrl, "--candidate", "v2", "--plan", fileOf(name), "--data-dir", dataDir]);
    expect(code).toBe(2);
    expect(stderr).toContain(message);
    expect(stderr).toContain(fileOf(name));
    expect(proxyAdminRequests).toEqual([]);
    expect(existsSync(dataDir)).toBe(false);
  });

  it.each(BAD_PLANS)("simulate refuses $what, and exits 2", async ({ name, message }) => {
    const { code, stderr, stdout } = await runCli(["simulate", "--plan", fileOf(name), "--scenario", join(dir, "scenario.yaml"), "--runs", "1"]);
    expect(code).toBe(2);
    expect(stderr).toContain(message);
    expect(stdout).toEqual([]);
  });

  it.each(BAD_PLANS)("the plans API refuses $what as a plan file's YAML with 400, saving nothing", async ({ name, text, message }) => {
    const answer = await server.api(plansPath(), { method: "POST", headers: { "content-type": "application/yaml" }, body: text });
    expect(answer.status).toBe(400);
    const { error } = (await answer.json()) as { error: { message: string; fields: { message: string }[] } };
    expect(error.message).toContain(message);
    expect(error.fields.map((field) => field.message)).toContain(message);
    const validated = (await (await server.api(`${plansPath()}/validate`, { headers: { "content-type": "application/yaml" }, method: "POST", body: text })).json()) as {
      valid: boolean;
      errors: { message: string }[];
    };
    expect(validated.valid).toBe(false);
    expect(validated.errors.map((problem) => problem.message)).toContain(message);
    expect((await server.api(`${plansPath()}/${name}`)).status).toBe(404);
  });

  it("the plans API refuses 1e400 in a JSON body as YAML's 1e400 is refused", async () => {
    const answer = await server.api(plansPath(), { method: "POST", headers: { "content-type": "application/json" }, body: '{"name": "json-soak", "stages": [{"percent": 5, "soak": 1e400}, {"percent": 100}]}' });
    expect(answer.status).toBe(400);
    expect(((await answer.json()) as { error: { message: string } }).error.message).toBe("the plan is invalid: body.stages[0].soak: must be a finite number (got Infinity)");
  });

  it.each(BAD_PLANS.filter(({ text }) => "document" in readPlanDocument(text)))("the dashboard editor's check shows the same for $what", ({ text, message }) => {
    const read = readPlanDocument(text) as { document: Record<string, unknown> };
    expect(checkPlanDocument(read.document).problems.map((problem) => problem.message)).toContain(message);
  });

  it("release creation refuses a plan saved before these limits with the same words, and starts nothing", async () => {
    const base = `/api/v1/teams/${server.team}`;
    const proxy = await proxyWithTwoVersions();
    for (const [path, body] of [
      ["/connections", { name: "proxy", platform: "local", adminUrl: proxy.adminUrl }],
      ["/targets", { name: "shop", connection: "proxy", settings: {} }],
    ] as const) {
      const created = await server.api(base + path, { json: body });
      expect(created.status, await created.clone().text()).toBe(201);
    }
    const teamId = (await server.services.identities.teamBySlug(server.team))!.id;
    const store = new ConfigStore(server.services.db);
    // Stored plans are JSON documents, which cannot hold Infinity.
    const storable = BAD_PLANS.flatMap(({ name, text, message }) => {
      const read = readPlanDocument(text);
      return "document" in read && !text.includes("1e400") ? [{ name, document: read.document, message }] : [];
    });
    expect(storable.map(({ name }) => name)).toEqual(["long-name", "huge-soak", "hasty", "stages-21"]);
    for (const { name, document, message } of storable) {
      const now = new Date(server.services.clock.now());
      await store.createPlan({ id: randomUUID(), teamId, name, document, revision: 1, createdAt: now, updatedAt: now });
      const answer = await server.api(`${base}/releases`, { json: { target: "shop", candidate: "v2", plan: name } });
      expect(answer.status).toBe(400);
      const { error } = (await answer.json()) as { error: { message: string } };
      expect(error.message).toContain(`the plan "${name}" is no longer valid`);
      expect(error.message).toContain(message);
    }
    expect(((await (await server.api(`${base}/releases`)).json()) as { releases: unknown[] }).releases).toEqual([]);
    expect(proxy.currentSplit().split).toEqual([{ version: "v1", percent: 100 }]);
  });
});
