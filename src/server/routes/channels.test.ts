import { createServer, type IncomingHttpHeaders, type ServerResponse, type Server } from "node:http";
import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { discordPayload } from "../../notify/discord.js";
import { NOTICE_KINDS, testNotice } from "../../notify/notice.js";
import { ReleaseRun } from "../../notify/release-run.test-support.js";
import { verifySignature } from "../../notify/signature.js";
import { closeServer, listen } from "../../support/listen.js";
import { startTestServer, type TestServer } from "../test-support.js";

/** Part of a real webhook URL that grants posting; no answer may show it. */
const TOKEN_PATH = "/services/T0001/B0002/s3cr3tt0k3n";
const SECRET = "whsec_do_not_show_me";

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

const receivers: Server[] = [];
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((server) => closeServer(server)));
});

async function receiver(answer: (response: ServerResponse) => void = (response) => response.writeHead(200).end("ok")) {
  const received: Received[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      received.push({ headers: request.headers, body: Buffer.concat(chunks).toString() });
      answer(response);
    });
  });
  receivers.push(server);
  const { port } = await listen(server, { host: "127.0.0.1", port: 0 });
  return { url: `http://127.0.0.1:${port}${TOKEN_PATH}`, host: `127.0.0.1:${port}`, received };
}

interface ChannelView {
  id: string;
  name: string;
  type: string;
  host: string | null;
  signed: boolean;
  events: string[];
  enabled: boolean;
  createdAt: string;
  updatedAt: string;
}

describe("notification channels", () => {
  let server: TestServer;
  const answers: string[] = [];
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    // Nothing any answer carried may show a channel's URL or secret.
    for (const text of answers) {
      expect(text).not.toContain(TOKEN_PATH);
      expect(text).not.toContain(SECRET);
    }
    await server.close();
  });

  const path = (rest = "") => `/api/v1/teams/${server.team}/channels${rest}`;
  async function call<T = Record<string, unknown>>(rest: string, init?: Parameters<TestServer["api"]>[1]) {
    const response = await server.api(path(rest), init);
    const text = await response.text();
    answers.push(text);
    return { status: response.status, body: (text ? JSON.parse(text) : null) as T };
  }
  const create = (json: Record<string, unknown>) => call<ChannelView>("", { json });

  it("keeps a channel's URL and secret sealed: answers show the host only", async () => {
    const hook = await receiver();
    const created = await create({ name: "ops-hook", type: "webhook", url: hook.url, secret: SECRET, events: ["rolled_back", "failed", "rolled_back"] });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.any(String),
      name: "ops-hook",
      type: "webhook",
      host: hook.host,
      signed: true,
      events: ["rolled_back", "failed"],
      enabled: true,
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/),
      updatedAt: expect.stringMatching(/Z$/),
    });

    const listed = await call<{ channels: ChannelView[] }>("");
    expect(listed.body.channels.find((channel) => channel.id === created.body.id)).toEqual(created.body);
    expect((await call(`/${created.body.id}`)).body).toEqual(created.body);

    const slack = await create({ name: "deploys", type: "slack", url: "https://hooks.slack.com/services/T1/B1/NeverShowThisSlackToken" });
    expect(slack.body).toMatchObject({ host: "hooks.slack.com", signed: false, events: [...NOTICE_KINDS], enabled: true });

    const team = (await server.services.identities.teamBySlug(server.team))!;
    const audit = await server.services.audit.list({ teamId: team.id, objectType: "channel", limit: 50 });
    expect(audit.map((entry) => entry.action)).toContain("channel.create");
    const text = JSON.stringify(audit);
    expect(text).not.toContain(TOKEN_PATH);
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain("NeverShowThisSlackToken");
  });

  it("changes the given fields only, and deletes", async () => {
    const first = await receiver();
    const second = await receiver();
    const created = await create({ name: "to-change", type: "webhook", url: first.url, secret: SECRET });
    const id = created.body.id;

    const moved = await call<ChannelView>(`/${id}`, { method: "PATCH", json: { url: second.url } });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ name: "to-change", host: second.host, signed: true });

    const refused = await call<{ error: { fields: { field: string }[] } }>(`/${id}`, { method: "PATCH", json: { type: "slack" } });
    expect(refused.status).toBe(400);
    expect(refused.body.error.fields.map((f) => f.field)).toEqual(["body.secret"]);

    const changed = await call<ChannelView>(`/${id}`, {
      method: "PATCH",
      json: { name: "changed", type: "discord", secret: null, events: ["succeeded"], enabled: false },
    });
    expect(changed.body).toMatchObject({ name: "changed", type: "discord", host: second.host, signed: false, events: ["succeeded"], enabled: false });

    // The test goes to the new URL, unsigned.
    expect((await call(`/${id}/test`, { method: "POST" })).body).toEqual({ ok: true, status: 200 });
    expect([first.received.length, second.received.length]).toEqual([0, 1]);
    expect(JSON.parse(second.received[0]!.body)).toMatchObject({ embeds: [{ title: "Glidepath test notification" }] });

    await create({ name: "taken", type: "slack", url: "https://hooks.slack.com/services/T1/B1/x" });
    expect((await call(`/${id}`, { method: "PATCH", json: { name: "taken" } })).status).toBe(409);

    expect((await call(`/${id}`, { method: "DELETE" })).status).toBe(204);
    expect((await call(`/${id}`)).status).toBe(404);
    expect((await call(`/${id}`, { method: "DELETE" })).status).toBe(404);
    expect((await call(`/${randomUUID()}/test`, { method: "POST" })).status).toBe(404);
  });

  it("is described in the OpenAPI document", async () => {
    const document = (await (await server.api("/api/v1/openapi.json", { token: null })).json()) as { paths: Record<string, Record<string, unknown>> };
    expect(Object.keys(document.paths["/api/v1/teams/{team}/channels"]!).sort()).toEqual(["get", "post"]);
    expect(Object.keys(document.paths["/api/v1/teams/{team}/channels/{channel}"]!).sort()).toEqual(["delete", "get", "patch"]);
    expect(document.paths["/api/v1/teams/{team}/channels/{channel}/test"]).toHaveProperty("post");
    expect(document.paths["/api/v1/teams/{team}/channels/{channel}/deliveries"]).toHaveProperty("get");
  });

  it("names each bad field, and refuses a second channel of the same name", async () => {
    const bad = await create({ name: "", type: "teams", url: "ftp://example.com/x", events: ["checked"], extra: 1 });
    expect(bad.status).toBe(400);
    const fields = (bad.body as unknown as { error: { fields: { field: string }[] } }).error.fields.map((f) => f.field);
    expect(fields.sort()).toEqual(["body.events[0]", "body.extra", "body.name", "body.type", "body.url"]);

    const signedSlack = await create({ name: "s", type: "slack", url: "https://hooks.slack.com/services/a", secret: "x" });
    expect(signedSlack.status).toBe(400);
    expect(JSON.stringify(signedSlack.body)).toContain("body.secret");
    expect((await create({ name: "empty", type: "slack", url: "https://hooks.slack.com/services/a", events: [] })).status).toBe(400);

    expect((await create({ name: "twice", type: "slack", url: "https://hooks.slack.com/services/a" })).status).toBe(201);
    const again = await create({ name: "twice", type: "discord", url: "https://discord.com/api/webhooks/1/x" });
    expect(again.status).toBe(409);
  });

  it("lets viewers see channels but only admins change or test them", async () => {
    const made = await server.api(`/api/v1/teams/${server.team}/tokens`, { json: { name: "watcher", role: "viewer" } });
    const { token } = (await made.json()) as { token: string };
    const channel = await create({ name: "seen", type: "slack", url: "https://hooks.slack.com/services/T/B/seen" });
    const id = channel.body.id;

    expect((await call("", { token })).status).toBe(200);
    expect((await call(`/${id}`, { token })).status).toBe(200);
    expect((await call(`/${id}/deliveries`, { token })).status).toBe(200);
    expect((await call("", { token, json: { name: "x", type: "slack", url: "https://hooks.slack.com/x" } })).status).toBe(403);
    expect((await call(`/${id}`, { token, method: "PATCH", json: { enabled: false } })).status).toBe(403);
    expect((await call(`/${id}/test`, { token, method: "POST" })).status).toBe(403);
    expect((await call(`/${id}`, { token, method: "DELETE" })).status).toBe(403);
    expect((await call(`/${id}`, { token: null })).status).toBe(401);
  });

  it("sends a test notification now and reports what the receiver said", async () => {
    const hook = await receiver((response) => response.writeHead(204).end());
    const signed = await create({ name: "test-signed", type: "webhook", url: hook.url, secret: SECRET });
    const ok = await call(`/${signed.body.id}/test`, { method: "POST" });
    expect(ok).toEqual({ status: 200, body: { ok: true, status: 204 } });
    const [{ headers, body }] = hook.received as [Received];
    expect(verifySignature(SECRET, headers, body, Date.now())).toEqual({ ok: true });
    expect(JSON.parse(body)).toMatchObject({ kind: "test", release: null, event: null, notice: { title: testNotice(0).title } });

    const gone = await receiver((response) => response.writeHead(404).end('{"message": "Unknown Webhook", "code": 10015}'));
    const discord = await create({ name: "test-gone", type: "discord", url: gone.url });
    const refused = await call(`/${discord.body.id}/test`, { method: "POST" });
    expect(refused).toEqual({
      status: 200,
      body: {
        ok: false,
        retryable: false,
        status: 404,
        error: "Discord refused the notification (404: Unknown Webhook); the webhook may have been deleted: create a new one and update the channel's URL",
      },
    });
    const sent = JSON.parse(gone.received[0]!.body) as ReturnType<typeof discordPayload>;
    expect(sent).toEqual(discordPayload(testNotice(Date.parse(sent.embeds[0]!.timestamp!))));

    const team = (await server.services.identities.teamBySlug(server.team))!;
    const audit = await server.services.audit.list({ teamId: team.id, action: "channel.test", limit: 10 });
    expect(audit.map((entry) => entry.details)).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: "test-gone", ok: false, status: 404 })]),
    );
  });

  it("notifies a channel of its team's release events through the server's outbox, and lists the deliveries", async () => {
    const slack = await receiver();
    const channel = await create({ name: "live", type: "slack", url: slack.url, events: ["release_started"] });
    const team = (await server.services.identities.teamBySlug(server.team))!;
    const run = new ReleaseRun();
    // Happening now: the outbox does not announce events that are a day old.
    const events = run.send({ type: "preflight_skipped" }).map((event) => ({ ...event, at: Date.now() }));
    const release = { ...run.release, id: randomUUID(), name: "live-release" };
    await server.services.releases.insert(release, events, { teamId: team.id });
    // The engine's events wake the outbox at once; without them it would look within 2 s.
    server.services.engine.emit("event", release.id, events[0]!);

    await vi.waitFor(() => expect(slack.received).toHaveLength(1), { timeout: 5_000, interval: 20 });
    expect(JSON.parse(slack.received[0]!.body).text).toMatch(/^live-release: rolling out v2/);
    const deliveries = await vi.waitFor(
      async () => {
        const listed = await call<{ deliveries: Record<string, unknown>[] }>(`/${channel.body.id}/deliveries`);
        expect(listed.body.deliveries[0]).toMatchObject({ status: "delivered" });
        return listed.body.deliveries;
      },
      { timeout: 5_000, interval: 20 },
    );
    expect(deliveries).toEqual([
      {
        id: expect.any(Number),
        eventId: expect.any(Number),
        releaseId: release.id,
        kind: "release_started",
        title: "live-release: rolling out v2",
        status: "delivered",
        attempts: 1,
        lastError: null,
        createdAt: expect.stringMatching(/Z$/),
        nextAttemptAt: null,
        deliveredAt: expect.stringMatching(/Z$/),
      },
    ]);
    expect((await call(`/${channel.body.id}/deliveries?limit=0`)).status).toBe(400);
    const metrics = await (await server.api("/metrics")).text();
    expect(metrics).toContain('glidepath_notification_deliveries_total{channel_type="slack",outcome="delivered"} 1');
  });
});
