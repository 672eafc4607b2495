import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PlanError } from "../../core/plan.js";
import { ConfigStore } from "../../store/config-store.js";
import { startTestServer, type TestServer } from "../test-support.js";
import { json, otherTeam, problemFields, tokenWithRole } from "./config.test-support.js";
import { planErrorFields } from "../../core/plan-check.js";
import { findPlan } from "./plans.js";

interface PlanAnswer {
  id: string | null;
  name: string;
  builtIn: boolean;
  revision: number;
  document: Record<string, unknown>;
}

const CAREFUL = {
  name: "careful",
  stages: [{ percent: 5, soak: "10m" }, { percent: 50, soak: "20m", progression: "manual" }, { percent: 100 }],
  slos: [{ sli: "error_rate", max: 0.01 }],
  policy: { checkInterval: "30s" },
};

describe("plans", () => {
  let server: TestServer;
  const plansPath = () => `/api/v1/teams/${server.team}/plans`;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it("stores a plan as written, lists it after the built-in ones, and bumps its revision on each update", async () => {
    const created = await server.api(plansPath(), { json: CAREFUL });
    expect(created.status).toBe(201);
    expect(await json(created)).toMatchObject({ name: "careful", builtIn: false, revision: 1, document: CAREFUL });

    const listed = await json<{ plans: PlanAnswer[] }>(await server.api(plansPath()));
    expect(listed.plans.map(({ name, builtIn }) => [name, builtIn])).toEqual([
      ["fast", true],
      ["standard", true],
      ["safe", true],
      ["careful", false],
    ]);
    const standard = listed.plans.find(({ name }) => name === "standard")!;
    expect(standard.document).toMatchObject({ stages: [{ percent: 5, soak: 900 }, { percent: 25 }, { percent: 50 }, { percent: 100 }] });

    const changed = { ...CAREFUL, stages: [{ percent: 10, soak: "5m" }, { percent: 100 }] };
    const updated = await server.api(`${plansPath()}/careful`, { method: "PUT", json: changed });
    expect(updated.status).toBe(200);
    expect(await json(updated)).toMatchObject({ revision: 2, document: changed });
    const again = await server.api(`${plansPath()}/careful`, { method: "PUT", json: { stages: [{ percent: 100 }] } });
    expect(await json(again)).toMatchObject({ revision: 3, document: { name: "careful", stages: [{ percent: 100 }] } });
    expect(await json(await server.api(`${plansPath()}/careful`))).toMatchObject({ revision: 3 });

    const teamId = (await server.services.identities.teamBySlug(server.team))!.id;
    const found = await findPlan(new ConfigStore(server.services.db), teamId, "careful");
    expect(found).toMatchObject({ revision: 3, builtIn: false, plan: { name: "careful", stages: [{ percent: 100, soakSeconds: 0 }] } });
    expect(await findPlan(new ConfigStore(server.services.db), teamId, "safe")).toMatchObject({ builtIn: true, plan: { name: "safe" } });
    expect(await findPlan(new ConfigStore(server.services.db), teamId, "nope")).toBeUndefined();

    const audit = await server.services.audit.list({ teamId, objectType: "plan", limit: 10 });
    expect(audit.map(({ action }) => action).sort()).toEqual(["plan.create", "plan.update", "plan.update"]);
  });

  it("creates a plan with PUT when there is none of that name", async () => {
    const created = await server.api(`${plansPath()}/fresh`, { method: "PUT", json: { stages: [{ percent: 100 }] } });
    expect(created.status).toBe(201);
    expect(await json(created)).toMatchObject({ name: "fresh", revision: 1 });
  });

  it("validates without saving, naming each bad field", async () => {
    const bad = {
      name: "bad",
      stages: [{ percent: 50, soak: "ten minutes" }, { percent: 120 }],
      slos: [{ sli: "error_rate", max: 0.01, maxRatioToStable: 2 }],
      policy: { failureThreshold: 0, surprise: true },
    };
    const answer = await server.api(`${plansPath()}/validate`, { json: bad });
    expect(answer.status).toBe(200);
    const result = await json<{ valid: boolean; errors: { field: string; message: string }[]; plan: unknown }>(answer);
    expect(result.valid).toBe(false);
    expect(result.plan).toBeNull();
    const fields = result.errors.map(({ field }) => field);
    expect(fields).toEqual(
      expect.arrayContaining(["body.stages[0].soak", "body.stages[1].percent", "body.slos[0]", "body.policy.failureThreshold", "body.policy.surprise"]),
    );
    expect(result.errors.find(({ field }) => field === "body.policy.surprise")!.message).toMatch(/unknown field/);
    expect(result.errors.find(({ field }) => field === "body.stages[1].percent")!.message).toBe("must be at most 100 (got 120)");

    const good = await json<{ valid: boolean; errors: unknown[]; plan: { stages: { soakSeconds: number }[] } }>(
      await server.api(`${plansPath()}/validate`, { json: { ...CAREFUL, name: "not-saved" } }),
    );
    expect(good).toMatchObject({ valid: true, errors: [], plan: { stages: [{ soakSeconds: 600 }, { soakSeconds: 1200 }, { soakSeconds: 0 }] } });
    expect((await server.api(`${plansPath()}/not-saved`)).status).toBe(404);

    const refused = await server.api(plansPath(), { json: bad });
    expect(refused.status).toBe(400);
    expect(await problemFields(refused)).toEqual(expect.arrayContaining(["body.stages[0].soak", "body.policy.surprise"]));

    const badName = await server.api(plansPath(), { json: { ...CAREFUL, name: "Careful Plan" } });
    expect(badName.status).toBe(400);
    expect(await problemFields(badName)).toEqual(["body.name"]);

    const mismatch = await server.api(`${plansPath()}/careful`, { method: "PUT", json: { ...CAREFUL, name: "other" } });
    expect(mismatch.status).toBe(400);
    expect(await problemFields(mismatch)).toEqual(["body.name"]);
  });

  it("takes a plan file's YAML as the body, and refuses other content types", async () => {
    const yaml = (body: string, method = "POST", path = plansPath()) => server.api(path, { method, headers: { "content-type": "application/yaml" }, body });
    const created = await yaml("name: from-file\nstages:\n  - { percent: 10, soak: 5m }\n  - { percent: 100 }\n");
    expect(created.status).toBe(201);
    expect(await json(created)).toMatchObject({ name: "from-file", document: { name: "from-file", stages: [{ percent: 10, soak: "5m" }, { percent: 100 }] } });
    const replaced = await yaml("stages: [{ percent: 100 }]", "PUT", `${plansPath()}/from-file`);
    expect(await json(replaced)).toMatchObject({ revision: 2, document: { name: "from-file", stages: [{ percent: 100 }] } });

    const broken = await yaml("stages: [{ percent: 100 }", "PUT", `${plansPath()}/from-file`);
    expect(broken.status).toBe(400);
    expect((await json<{ error: { message: string } }>(broken)).error.message).toMatch(/^plan is not valid YAML or JSON at line 1, column \d+: /);
    expect(await json(await server.api(`${plansPath()}/from-file`))).toMatchObject({ revision: 2 });

    const plain = await server.api(plansPath(), { method: "POST", headers: { "content-type": "text/plain" }, body: "name: plain" });
    expect(plain.status).toBe(400);
    expect(await problemFields(plain)).toEqual(["header.content-type"]);
  });

  it("refuses a body larger than a plan may be", async () => {
    const answer = await server.api(plansPath(), { json: { ...CAREFUL, name: "huge", padding: "x".repeat(10 * 1024 * 1024) } });
    expect(answer.status).toBe(400);
    expect(await json(answer)).toEqual({
      error: { code: "invalid_request", message: "plan is larger than 64 KiB, the most a plan may be", fields: [{ field: "body", message: "is larger than 64 KiB, the most a plan may be" }] },
    });
  });

  it("keeps built-in plans read-only and names taken", async () => {
    expect(await json(await server.api(`${plansPath()}/standard`))).toMatchObject({ name: "standard", builtIn: true, id: null });
    expect((await server.api(plansPath(), { json: { ...CAREFUL, name: "standard" } })).status).toBe(409);
    expect((await server.api(`${plansPath()}/fast`, { method: "PUT", json: { stages: [{ percent: 100 }] } })).status).toBe(409);
    expect((await server.api(`${plansPath()}/safe`, { method: "DELETE" })).status).toBe(409);
    expect((await server.api(plansPath(), { json: { ...CAREFUL, name: "taken" } })).status).toBe(201);
    expect((await server.api(plansPath(), { json: { ...CAREFUL, name: "taken" } })).status).toBe(409);
    expect((await server.api(`${plansPath()}/constructor`)).status).toBe(404);
  });

  it("lets deployers write plans, viewers read and validate them, and only admins delete them", async () => {
    const viewer = await tokenWithRole(server, "viewer");
    const deployer = await tokenWithRole(server, "deployer");
    expect((await server.api(plansPath(), { json: { ...CAREFUL, name: "by-viewer" }, token: viewer })).status).toBe(403);
    expect((await server.api(`${plansPath()}/validate`, { json: CAREFUL, token: viewer })).status).toBe(200);
    expect((await server.api(plansPath(), { json: { ...CAREFUL, name: "by-deployer" }, token: deployer })).status).toBe(201);
    expect((await server.api(`${plansPath()}/by-deployer`, { token: viewer })).status).toBe(200);
    expect((await server.api(`${plansPath()}/by-deployer`, { method: "DELETE", token: deployer })).status).toBe(403);
    expect((await server.api(`${plansPath()}/by-deployer`, { method: "DELETE" })).status).toBe(204);
    expect((await server.api(`${plansPath()}/by-deployer`)).status).toBe(404);
  });

  it("never finds another team's plan", async () => {
    expect((await server.api(plansPath(), { json: { ...CAREFUL, name: "secret-plan" } })).status).toBe(201);
    const other = await otherTeam(server, "plan-outsiders");
    const theirs = `/api/v1/teams/${other.slug}/plans`;
    expect((await server.api(`${plansPath()}/secret-plan`, { token: other.token })).status).toBe(404);
    expect((await server.api(`${theirs}/secret-plan`, { token: other.token })).status).toBe(404);
    expect((await server.api(`${theirs}/secret-plan`, { method: "DELETE", token: other.token })).status).toBe(404);
    const listed = await json<{ plans: PlanAnswer[] }>(await server.api(theirs, { token: other.token }));
    expect(listed.plans.every(({ builtIn }) => builtIn)).toBe(true);
  });

  it("reads PlanError messages as fields", () => {
    const error = new PlanError(
      "invalid plan: plan.stages[1].percent must be at most 100 (got 120); plan.policy.window cannot be combined with the sequential test of slos[0], which weighs every request of each stage; remove policy.window (got 60); plan.x: unknown field (got 1)",
    );
    expect(planErrorFields(error)).toEqual([
      { field: "body.stages[1].percent", message: "must be at most 100 (got 120)" },
      {
        field: "body.policy.window",
        message: "cannot be combined with the sequential test of slos[0], which weighs every request of each stage; remove policy.window (got 60)",
      },
      { field: "body.x", message: "unknown field (got 1)" },
    ]);
  });
});
