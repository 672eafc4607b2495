import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuditStore } from "../../store/audit-store.js";
import { startTestServer, type TestServer } from "../test-support.js";
import { type Browser, ManualClock, PASSWORD, signedIn } from "./session.test-support.js";

interface Entry {
  id: number;
  at: string;
  actorType: string;
  actorId: string | null;
  actor: string;
  action: string;
  objectType: string;
  objectId: string | null;
  sourceAddress: string | null;
  details: Record<string, unknown>;
}
interface Page {
  entries: Entry[];
  nextBefore: number | null;
}
interface ProblemAnswer {
  error: { code: string; message: string; fields?: { field: string; message: string }[] };
}

const START = Date.parse("2026-11-29T12:00:00.000Z");

describe("the audit log", () => {
  const clock = new ManualClock(START);
  let server: TestServer;
  let admin: Browser;
  let tokenId: string;
  beforeAll(async () => {
    server = await startTestServer({ clock });
    // 12:00 a person is made and added by the bootstrap token, 12:01 a token, 12:02 a rename, 12:03 another person.
    admin = await signedIn(server, "admin@example.com", "admin");
    clock.advance(60_000);
    const token = await admin.request(`/api/v1/teams/${server.team}/tokens`, { method: "POST", json: { name: "ci", role: "deployer" } });
    tokenId = ((await token.json()) as { id: string }).id;
    clock.advance(60_000);
    await admin.request(`/api/v1/teams/${server.team}`, { method: "PATCH", json: { name: "Everyone" } });
    clock.advance(60_000);
    await admin.request(`/api/v1/teams/${server.team}/members`, { method: "POST", json: { email: "later@example.com", role: "viewer", password: PASSWORD } });
  });
  afterAll(() => server.close());

  const page = async (query = "", browser = admin) => {
    const response = await browser.request(`/api/v1/teams/${server.team}/audit${query}`);
    expect(response.status).toBe(200);
    return (await response.json()) as Page;
  };

  it("holds every change, newest first, with who, when and from where", async () => {
    const { entries, nextBefore } = await page();
    expect(nextBefore).toBeNull();
    expect(entries.map((e) => [e.at, e.actor, e.action])).toEqual([
      ["2026-11-29T12:03:00.000Z", "admin@example.com", "member.add"],
      ["2026-11-29T12:02:00.000Z", "admin@example.com", "team.update"],
      ["2026-11-29T12:01:00.000Z", "admin@example.com", "token.create"],
      ["2026-11-29T12:00:00.000Z", "token bootstrap", "member.add"],
    ]);
    for (const entry of entries) expect(entry.sourceAddress).toBe("127.0.0.1");
    expect(entries[2]).toMatchObject({ actorType: "user", objectType: "token", objectId: tokenId, details: { name: "ci", role: "deployer" } });
    expect(entries[3]).toMatchObject({ actorType: "token", actorId: expect.any(String), details: { email: "admin@example.com", role: "admin" } });
  });

  it("filters by action, actor, object and time", async () => {
    expect((await page("?action=member.add")).entries.map((e) => e.details.email)).toEqual(["later@example.com", "admin@example.com"]);
    expect((await page("?actor=token%20bootstrap")).entries.map((e) => e.action)).toEqual(["member.add"]);
    expect((await page("?objectType=token")).entries.map((e) => e.objectId)).toEqual([tokenId]);
    expect((await page(`?objectId=${tokenId}&action=token.create`)).entries).toHaveLength(1);
    expect((await page("?action=release.approve")).entries).toEqual([]);
    const window = await page(`?since=${encodeURIComponent("2026-11-29T13:01:00+01:00")}&until=2026-11-29T12:02:00Z`);
    expect(window.entries.map((e) => e.action)).toEqual(["team.update", "token.create"]);
  });

  it("pages with limit and before", async () => {
    const first = await page("?limit=3");
    expect(first.entries).toHaveLength(3);
    expect(first.nextBefore).toBe(first.entries[2]!.id);
    const second = await page(`?limit=3&before=${first.nextBefore}`);
    expect(second.entries.map((e) => e.at)).toEqual(["2026-11-29T12:00:00.000Z"]);
    expect(second.nextBefore).toBeNull();
  });

  it("names the field of each invalid query value", async () => {
    const cases: [string, string][] = [
      ["?limit=0", "query.limit"],
      ["?limit=501", "query.limit"],
      ["?limit=ten", "query.limit"],
      ["?before=-4", "query.before"],
      ["?since=yesterday", "query.since"],
      ["?until=2026-11-29", "query.until"],
      ["?actions=team.update", "query.actions"],
      ["?since=2026-11-29T12:02:00Z&until=2026-11-29T12:00:00Z", "query.until"],
    ];
    for (const [query, field] of cases) {
      const response = await admin.request(`/api/v1/teams/${server.team}/audit${query}`);
      expect(response.status, query).toBe(400);
      const problem = (await response.json()) as ProblemAnswer;
      expect(problem.error.fields?.map((f) => f.field), query).toEqual([field]);
      expect(problem.error.message, query).toContain(field);
    }
  });

  it("is readable by viewers, and not by people outside the team", async () => {
    const viewer = await signedIn(server, "viewer@example.com", "viewer");
    expect((await page("?limit=1", viewer)).entries).toHaveLength(1);
    const outsider = await signedIn(server, "outsider@example.com", "viewer");
    await outsider.request("/api/v1/teams", { method: "POST", json: { slug: "elsewhere", name: "Elsewhere" } });
    expect((await admin.request("/api/v1/teams/elsewhere/audit")).status).toBe(404);
    expect((await server.api("/api/v1/teams/elsewhere/audit")).status).toBe(404);
  });

  it("cannot be changed or removed: the store offers no way, and the database refuses raw SQL", async () => {
    const methods = Object.getOwnPropertyNames(AuditStore.prototype).filter((name) => name !== "constructor");
    expect(methods.sort()).toEqual(["append", "list"]);

    const { db } = server.services;
    // Drizzle wraps the database's error; the trigger's message is its cause.
    const refusal = (query: Promise<unknown>) =>
      query.then(
        () => "allowed",
        (error: Error) => String((error.cause as Error | undefined)?.message ?? error.message),
      );
    expect(await refusal(db.execute(sql`update audit_log set actor = 'someone else'`))).toBe("the audit log is append-only");
    expect(await refusal(db.execute(sql`delete from audit_log`))).toBe("the audit log is append-only");
    const { entries } = await page();
    expect(entries.some((e) => e.actor === "someone else")).toBe(false);
    expect(entries.length).toBeGreaterThanOrEqual(4);
  });
});
