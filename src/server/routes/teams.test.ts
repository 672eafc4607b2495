import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../test-support.js";
import { type Browser, signedIn } from "./session.test-support.js";

interface TeamAnswer {
  slug: string;
  name: string;
  role: string;
  createdAt: string;
}
interface ProblemAnswer {
  error: { code: string; message: string; fields?: { field: string; message: string }[] };
}

describe("teams", () => {
  let server: TestServer;
  let ada: Browser;
  let grace: Browser;
  beforeAll(async () => {
    server = await startTestServer();
    ada = await signedIn(server, "ada@example.com", "viewer");
    grace = await signedIn(server, "grace@example.com", "deployer");
  });
  afterAll(() => server.close());

  it("lets a person create a team they then administer, and lists their teams with their role", async () => {
    const created = await ada.request("/api/v1/teams", { method: "POST", json: { slug: "payments", name: "Payments" } });
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ slug: "payments", name: "Payments", role: "admin", createdAt: expect.stringMatching(/Z$/) });

    const listed = (await (await ada.request("/api/v1/teams")).json()) as { teams: TeamAnswer[] };
    expect(listed.teams.map(({ slug, role }) => ({ slug, role }))).toEqual([
      { slug: "default", role: "viewer" },
      { slug: "payments", role: "admin" },
    ]);
    const team = (await (await ada.request("/api/v1/teams/payments")).json()) as TeamAnswer;
    expect(team).toMatchObject({ slug: "payments", role: "admin" });

    const audit = await server.services.audit.list({ teamId: (await server.services.identities.teamBySlug("payments"))!.id, limit: 10 });
    expect(audit).toEqual([
      expect.objectContaining({
        action: "team.create",
        objectType: "team",
        actor: "ada@example.com",
        actorType: "user",
        sourceAddress: "127.0.0.1",
        details: { slug: "payments", name: "Payments" },
      }),
    ]);
  });

  it("answers a team you are not in like one that does not exist", async () => {
    await ada.request("/api/v1/teams", { method: "POST", json: { slug: "secret-project", name: "Secret" } });
    const outsider = await grace.request("/api/v1/teams/secret-project");
    const missing = await grace.request("/api/v1/teams/no-such-team");
    expect(outsider.status).toBe(404);
    expect(missing.status).toBe(404);
    expect(((await outsider.json()) as ProblemAnswer).error.message).toBe('no team "secret-project" here, or your token cannot see it');
    expect((await server.api("/api/v1/teams/secret-project")).status).toBe(404);
    expect((await grace.request("/api/v1/teams/secret-project/members")).status).toBe(404);
  });

  it("refuses a taken slug, a bad slug and an API token", async () => {
    await ada.request("/api/v1/teams", { method: "POST", json: { slug: "search", name: "Search" } });
    const taken = await grace.request("/api/v1/teams", { method: "POST", json: { slug: "search", name: "Also search" } });
    expect(taken.status).toBe(409);
    expect(((await taken.json()) as ProblemAnswer).error.message).toMatch(/"search" is taken/);

    const bad = await grace.request("/api/v1/teams", { method: "POST", json: { slug: "Not A Slug", name: "", color: "red" } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as ProblemAnswer).error.fields?.map((f) => f.field).sort()).toEqual(["body.color", "body.name", "body.slug"]);

    const byToken = await server.api("/api/v1/teams", { json: { slug: "robots", name: "Robots" } });
    expect(byToken.status).toBe(403);
    expect(((await byToken.json()) as ProblemAnswer).error.message).toMatch(/API token .* cannot create teams/);
  });

  it("shows a token its one team", async () => {
    const listed = (await (await server.api("/api/v1/teams")).json()) as { teams: TeamAnswer[] };
    expect(listed.teams).toEqual([expect.objectContaining({ slug: "default", name: "Default team", role: "admin" })]);
  });

  it("lets admins rename a team, and not others", async () => {
    await ada.request("/api/v1/teams", { method: "POST", json: { slug: "infra", name: "Infra" } });
    await ada.request("/api/v1/teams/infra/members", { method: "POST", json: { email: "grace@example.com", role: "deployer" } });
    const refused = await grace.request("/api/v1/teams/infra", { method: "PATCH", json: { name: "Mine now" } });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as ProblemAnswer).error.message).toBe('this needs the admin role in team "infra"; you have deployer');

    const renamed = await ada.request("/api/v1/teams/infra", { method: "PATCH", json: { name: "Infrastructure" } });
    expect(renamed.status).toBe(200);
    expect(await renamed.json()).toMatchObject({ slug: "infra", name: "Infrastructure" });
    expect(await (await grace.request("/api/v1/teams/infra")).json()).toMatchObject({ name: "Infrastructure", role: "deployer" });

    const badSlugChange = await ada.request("/api/v1/teams/infra", { method: "PATCH", json: { slug: "other" } });
    expect(badSlugChange.status).toBe(400);

    const [entry] = await server.services.audit.list({ teamId: (await server.services.identities.teamBySlug("infra"))!.id, action: "team.update", limit: 5 });
    expect(entry).toMatchObject({ actor: "ada@example.com", details: { name: "Infrastructure", previousName: "Infra" } });
  });
});
