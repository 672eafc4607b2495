import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../test-support.js";
import { Browser, PASSWORD, signedIn } from "./session.test-support.js";

interface MemberAnswer {
  id: string;
  email: string;
  name: string;
  role: string;
}
interface ProblemAnswer {
  error: { code: string; message: string; fields?: { field: string; message: string }[] };
}

describe("team members", () => {
  let server: TestServer;
  let owner: Browser;
  beforeAll(async () => {
    server = await startTestServer();
    owner = await signedIn(server, "owner@example.com", "viewer");
    const created = await owner.request("/api/v1/teams", { method: "POST", json: { slug: "web", name: "Web" } });
    expect(created.status).toBe(201);
  });
  afterAll(() => server.close());

  const members = async (browser: Browser, team = "web") =>
    ((await (await browser.request(`/api/v1/teams/${team}/members`)).json()) as { members: MemberAnswer[] }).members;

  it("creates a person when a password is given, adds an existing one without, and refuses an unknown email", async () => {
    const made = await owner.request("/api/v1/teams/web/members", {
      method: "POST",
      json: { email: "New.Person@example.com", role: "deployer", name: "New Person", password: PASSWORD },
    });
    expect(made.status).toBe(201);
    const person = (await made.json()) as MemberAnswer;
    expect(person).toMatchObject({ email: "new.person@example.com", name: "New Person", role: "deployer" });
    expect((await new Browser(server.url).signIn("new.person@example.com")).status).toBe(201);

    const unknown = await owner.request("/api/v1/teams/web/members", { method: "POST", json: { email: "ghost@example.com", role: "viewer" } });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as ProblemAnswer).error.message).toBe("no user with that email; give a password to create one");

    // new.person@example.com has an account now: another team adds them by email alone.
    const other = await owner.request("/api/v1/teams", { method: "POST", json: { slug: "mobile", name: "Mobile" } });
    expect(other.status).toBe(201);
    const added = await owner.request("/api/v1/teams/mobile/members", { method: "POST", json: { email: "new.person@example.com", role: "viewer" } });
    expect(added.status).toBe(201);
    expect((await members(owner, "mobile")).map(({ email, role }) => `${email}:${role}`)).toEqual([
      "new.person@example.com:viewer",
      "owner@example.com:admin",
    ]);

    const withPassword = await owner.request("/api/v1/teams/mobile/members", {
      method: "POST",
      json: { email: "new.person@example.com", role: "viewer", password: "someone else's password" },
    });
    expect(withPassword.status).toBe(409);
    expect(((await withPassword.json()) as ProblemAnswer).error.message).toMatch(/only they can set its password; leave out the password/);

    const twice = await owner.request("/api/v1/teams/web/members", { method: "POST", json: { email: "new.person@example.com", role: "admin" } });
    expect(twice.status).toBe(409);
    expect(((await twice.json()) as ProblemAnswer).error.message).toMatch(/is a member already, as deployer; change the role with PATCH/);

    const weak = await owner.request("/api/v1/teams/web/members", { method: "POST", json: { email: "weak@example.com", role: "viewer", password: "short" } });
    expect(weak.status).toBe(400);
    expect(((await weak.json()) as ProblemAnswer).error.fields).toEqual([{ field: "body.password", message: "use at least 12 characters" }]);
  });

  it("lets viewers list members and only admins change them", async () => {
    const viewer = await signedIn(server, "viewer@example.com", "viewer");
    await owner.request("/api/v1/teams/web/members", { method: "POST", json: { email: "viewer@example.com", role: "viewer" } });
    expect((await members(viewer)).map((m) => m.email)).toContain("owner@example.com");

    const refused = await viewer.request("/api/v1/teams/web/members", { method: "POST", json: { email: "x@example.com", role: "admin", password: PASSWORD } });
    expect(refused.status).toBe(403);
    const ownerId = (await members(viewer)).find((m) => m.email === "owner@example.com")!.id;
    expect((await viewer.request(`/api/v1/teams/web/members/${ownerId}`, { method: "DELETE" })).status).toBe(403);
  });

  it("never demotes or removes the last admin, naming why", async () => {
    const team = await members(owner);
    const ownerId = team.find((m) => m.email === "owner@example.com")!.id;
    const demote = await owner.request(`/api/v1/teams/web/members/${ownerId}`, { method: "PATCH", json: { role: "deployer" } });
    expect(demote.status).toBe(409);
    expect(((await demote.json()) as ProblemAnswer).error.message).toBe(
      'owner@example.com is the last admin of team "web", and a team needs one to manage it; make another member admin first',
    );
    expect((await owner.request(`/api/v1/teams/web/members/${ownerId}`, { method: "DELETE" })).status).toBe(409);
    // Staying admin is no change.
    expect((await owner.request(`/api/v1/teams/web/members/${ownerId}`, { method: "PATCH", json: { role: "admin" } })).status).toBe(200);

    const otherId = team.find((m) => m.email === "new.person@example.com")!.id;
    const promoted = await owner.request(`/api/v1/teams/web/members/${otherId}`, { method: "PATCH", json: { role: "admin" } });
    expect(promoted.status).toBe(200);
    expect(await promoted.json()).toMatchObject({ email: "new.person@example.com", role: "admin" });

    const stepDown = await owner.request(`/api/v1/teams/web/members/${ownerId}`, { method: "PATCH", json: { role: "viewer" } });
    expect(stepDown.status).toBe(200);
    // The owner is a viewer now and can no longer manage members.
    expect((await owner.request(`/api/v1/teams/web/members/${otherId}`, { method: "DELETE" })).status).toBe(403);

    const newAdmin = new Browser(server.url);
    await newAdmin.signIn("new.person@example.com");
    expect((await newAdmin.request(`/api/v1/teams/web/members/${otherId}`, { method: "DELETE" })).status).toBe(409);
    const removed = await newAdmin.request(`/api/v1/teams/web/members/${ownerId}`, { method: "DELETE" });
    expect(removed.status).toBe(204);
    expect((await owner.request("/api/v1/teams/web")).status).toBe(404);
    expect((await newAdmin.request(`/api/v1/teams/web/members/${ownerId}`, { method: "DELETE" })).status).toBe(404);
    expect((await newAdmin.request(`/api/v1/teams/web/members/${ownerId}`, { method: "PATCH", json: { role: "viewer" } })).status).toBe(404);
  });

  it("audits every change with the actor and the source address", async () => {
    const teamId = (await server.services.identities.teamBySlug("web"))!.id;
    const entries = await server.services.audit.list({ teamId, objectType: "member", limit: 50 });
    expect(entries.map((e) => `${e.actor} ${e.action} ${e.details.email} ${e.details.role}`).reverse()).toEqual([
      "owner@example.com member.add new.person@example.com deployer",
      "owner@example.com member.add viewer@example.com viewer",
      "owner@example.com member.update new.person@example.com admin",
      "owner@example.com member.update owner@example.com viewer",
      "new.person@example.com member.remove owner@example.com viewer",
    ]);
    expect(new Set(entries.map((e) => e.sourceAddress))).toEqual(new Set(["127.0.0.1"]));
    expect(entries.find((e) => e.action === "member.update" && e.details.email === "owner@example.com")!.details).toEqual({
      email: "owner@example.com",
      role: "viewer",
      previousRole: "admin",
    });
  });

  it("lets an admin token manage people too", async () => {
    const made = await server.api(`/api/v1/teams/${server.team}/members`, { json: { email: "bot-made@example.com", role: "viewer", password: PASSWORD } });
    expect(made.status).toBe(201);
    const { id } = (await made.json()) as MemberAnswer;
    expect((await server.api(`/api/v1/teams/${server.team}/members/${id}`, { method: "PATCH", json: { role: "deployer" } })).status).toBe(200);
    const [entry] = await server.services.audit.list({ teamId: (await server.services.identities.teamBySlug(server.team))!.id, action: "member.update", limit: 1 });
    expect(entry).toMatchObject({ actorType: "token", actor: "token bootstrap", objectId: id, sourceAddress: "127.0.0.1" });
  });
});
