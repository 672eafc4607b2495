import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TeamReleases } from "../store/team-releases.js";
import { IDEMPOTENCY_KEY_LIFETIME_MS, sweep } from "./housekeeping.js";
import { startTestServer, type TestServer } from "./test-support.js";

describe("housekeeping", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it("forgets idempotency keys past their lifetime and sessions that have ended, and keeps the rest", async () => {
    const { identities, db } = server.services;
    const keys = new TeamReleases(db);
    const team = (await identities.teamBySlug(server.team))!;
    const now = Date.UTC(2026, 10, 29, 12);
    const remember = (key: string, at: number) => keys.rememberResponse(team.id, key, { fingerprint: "f", status: 201, body: {} }, new Date(at));
    await remember("old", now - IDEMPOTENCY_KEY_LIFETIME_MS - 1);
    await remember("recent", now - 60_000);
    const user = await identities.createUser({ id: randomUUID(), email: "sweep@example.com", name: "Sweep", passwordHash: "x", createdAt: new Date(now) });
    if (user === "email_taken") throw new Error("unexpected");
    const session = (id: string, expiresAt: number) =>
      identities.createSession({ id, userId: user.id, csrfToken: "c", createdAt: new Date(now - 1), expiresAt: new Date(expiresAt) });
    await session("ended", now - 1);
    await session("live", now + 60_000);

    await sweep(identities, keys, now);

    expect(await keys.rememberedResponse(team.id, "old")).toBeUndefined();
    expect(await keys.rememberedResponse(team.id, "recent")).toBeDefined();
    expect(await identities.session("live", new Date(now))).toBeDefined();
    expect(await identities.session("ended", new Date(now - 2))).toBeUndefined();
  });
});
