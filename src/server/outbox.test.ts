import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type ServerResponse, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { ReleaseEventDraft } from "../core/events.js";
import type { Release } from "../core/release.js";
import type { ChannelType } from "../notify/deliver.js";
import { discordPayload } from "../notify/discord.js";
import { googleChatPayload } from "../notify/google-chat.js";
import { noticeFor, NOTICE_KINDS, type NoticeKind } from "../notify/notice.js";
import { ReleaseRun, rolledBackAtStage2, T0 } from "../notify/release-run.test-support.js";
import { verifySignature } from "../notify/signature.js";
import { slackPayload } from "../notify/slack.js";
import type { WebhookPayload } from "../notify/webhook.js";
import { openEmbeddedDatabase, type OpenDatabase } from "../store/database.js";
import { openMemoryDatabase } from "../store/memory-database.test-support.js";
import { IdentityStore } from "../store/identity-store.js";
import { NotificationStore } from "../store/notification-store.js";
import { ReleaseStore } from "../store/release-store.js";
import type { Clock } from "../support/clock.js";
import { closeServer, listen } from "../support/listen.js";
import { SecretBox } from "./auth/secret-box.js";
import { ServerMetrics } from "./metrics.js";
import { channelSecretBinding, Outbox, type OutboxOptions } from "./outbox.js";

const PUBLIC_URL = "https://glidepath.example.com";
/** Part of a real webhook URL that grants posting; nothing stored in the clear may show it. */
const TOKEN_PATH = "/services/T0001/B0002/s3cr3tt0k3n";
const TEAM_ID = "team_payments";

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A real HTTP receiver on loopback; `answer` gets the 1-based number of the request. */
async function receiver(answer: (response: ServerResponse, count: number) => void = (response) => response.writeHead(200).end("ok")) {
  const received: Received[] = [];
  const waiters: (() => void)[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      received.push({ headers: request.headers, body: Buffer.concat(chunks).toString() });
      waiters.splice(0).forEach((wake) => wake());
      answer(response, received.length);
    });
  });
  cleanups.push(() => closeServer(server));
  const { port } = await listen(server, { host: "127.0.0.1", port: 0 });
  return {
    url: `http://127.0.0.1:${port}${TOKEN_PATH}`,
    received,
    bodies: () => received.map(({ body }) => JSON.parse(body) as Record<string, unknown>),
    /** Resolves once `count` requests have arrived. */
    until: (count: number) =>
      new Promise<void>((resolve) => {
        const check = () => (received.length >= count ? resolve() : waiters.push(check));
        check();
      }),
  };
}

/** Virtual time: it moves only when the test says so; a sleep ends at once when its time has come, else at a nudge. */
function manualClock(start = T0) {
  let now = start;
  const clock: Clock & { advance(ms: number): void } = {
    now: () => now,
    advance(ms) {
      now += ms;
    },
    sleepUntil: (time, signal) =>
      new Promise((resolve) => {
        if (time <= now || signal?.aborted) return resolve();
        signal?.addEventListener("abort", () => resolve(), { once: true });
      }),
  };
  return clock;
}

async function world(database?: OpenDatabase, { secretKey = randomBytes(32), clock = manualClock() } = {}) {
  const opened = database ?? (await openMemoryDatabase());
  if (!database) cleanups.push(() => opened.close());
  const { db } = opened;
  const identities = new IdentityStore(db);
  if (!(await identities.teamById(TEAM_ID))) {
    await identities.createTeam({ id: TEAM_ID, slug: "payments", name: "Payments", createdAt: new Date(T0) });
  }
  const store = new NotificationStore(db);
  const releases = new ReleaseStore(db);
  const secrets = new SecretBox(secretKey);
  const metrics = new ServerMetrics(async () => ({}));
  const outboxes: Outbox[] = [];
  cleanups.push(() => Promise.all(outboxes.map((outbox) => outbox.stop())).then(() => {}));

  return {
    db,
    clock,
    store,
    metrics,
    outbox(options: Partial<OutboxOptions> = {}) {
      const outbox = new Outbox({ store, secrets, clock, metrics, publicUrl: PUBLIC_URL, log: () => {}, ...options });
      outboxes.push(outbox);
      return outbox;
    },
    async channel(type: ChannelType, url: string, { secret, events = [...NOTICE_KINDS], enabled = true }: { secret?: string; events?: NoticeKind[]; enabled?: boolean } = {}) {
      const id = randomUUID();
      const created = await store.createChannel({
        id,
        teamId: TEAM_ID,
        name: `${type}-${id.slice(0, 8)}`,
        type,
        events,
        enabled,
        sealedSecret: secrets.seal(JSON.stringify({ url, ...(secret !== undefined && { secret }) }), channelSecretBinding(id)),
        createdAt: new Date(T0),
        updatedAt: new Date(T0),
      });
      if (created === "name_taken") throw new Error("name taken");
      return created;
    },
    /** Records a release of the team with its events, as the engine would have. */
    async release(run: { release: Release; events: ReleaseEventDraft[] }, name = `svc-${randomUUID().slice(0, 8)}`) {
      const release = { ...run.release, id: randomUUID(), name };
      await releases.insert(release, run.events, { teamId: TEAM_ID });
      return { release, events: run.events };
    },
    async deliveries(channelId: string) {
      return (await store.deliveries(channelId, { limit: 100 })).reverse();
    },
    async counted(outcome: string, channelType = "slack") {
      const { values } = await metrics.deliveries.get();
      return values.find(({ labels }) => labels.outcome === outcome && labels.channel_type === channelType)?.value ?? 0;
    },
  };
}

function started(): ReleaseRun {
  const run = new ReleaseRun();
  run.send({ type: "preflight_skipped" });
  return run;
}

/** The notices a release's events call for, in order, as the outbox makes them. */
function noticesOf(release: Release, events: ReleaseEventDraft[]) {
  return events.flatMap((event) => {
    const notice = noticeFor(release, event, { releaseUrl: `${PUBLIC_URL}/releases/${release.id}` });
    return notice ? [{ notice, event }] : [];
  });
}

describe("Outbox", () => {
  it("sends each service its own format, and signs generic webhooks so the receiver can verify them", async () => {
    const w = await world();
    const slack = await receiver();
    const discord = await receiver();
    const chat = await receiver();
    const hook = await receiver((response) => response.writeHead(204).end());
    const slackChannel = await w.channel("slack", slack.url);
    await w.channel("discord", discord.url);
    await w.channel("google_chat", chat.url);
    await w.channel("webhook", hook.url, { secret: "whsec_test" });
    const { release, events } = await w.release(rolledBackAtStage2());
    const expected = noticesOf(release, events);
    expect(expected.map(({ notice }) => notice.kind)).toEqual(["release_started", "stage_progressed", "rolled_back"]);

    await w.outbox().drain();

    expect(slack.bodies()).toEqual(expected.map(({ notice }) => slackPayload(notice)));
    expect(discord.bodies()).toEqual(expected.map(({ notice }) => discordPayload(notice)));
    expect(chat.bodies()).toEqual(expected.map(({ notice }) => googleChatPayload(notice)));
    expect((chat.bodies()[2] as { cardsV2: unknown[] }).cardsV2).toHaveLength(1);

    expect(hook.received).toHaveLength(3);
    for (const [index, { headers, body }] of hook.received.entries()) {
      expect(verifySignature("whsec_test", headers, body, w.clock.now())).toEqual({ ok: true });
      expect(verifySignature("whsec_other", headers, body, w.clock.now()).ok).toBe(false);
      const payload = JSON.parse(body) as WebhookPayload;
      expect(payload).toEqual({
        kind: expected[index]!.notice.kind,
        release: expect.objectContaining({ id: release.id, name: release.name, state: "rolled_back", stageIndex: 1, stageCount: 4 }),
        event: { ...JSON.parse(JSON.stringify(expected[index]!.event)), id: expect.any(Number), releaseId: release.id },
        notice: JSON.parse(JSON.stringify(expected[index]!.notice)),
        sentAt: w.clock.now(),
      });
    }
    const rollback = JSON.parse(hook.received[2]!.body) as WebhookPayload;
    expect(rollback.notice.url).toBe(`${PUBLIC_URL}/releases/${release.id}`);
    expect(rollback.event).toMatchObject({ type: "rolled_back", check: { verdict: "fail" } });

    const rows = await w.deliveries(slackChannel.id);
    expect(rows.map((row) => [row.kind, row.status, row.attempts, row.lastError])).toEqual([
      ["release_started", "delivered", 1, null],
      ["stage_progressed", "delivered", 1, null],
      ["rolled_back", "delivered", 1, null],
    ]);
    expect(await w.counted("delivered")).toBe(3);
    expect(await w.counted("delivered", "webhook")).toBe(3);
  });

  it("retries a receiver that failed, after the backoff, and delivers on the next attempt", async () => {
    const w = await world();
    const slack = await receiver((response, count) => (count === 1 ? response.writeHead(503).end("upstream unavailable") : response.writeHead(200).end("ok")));
    const channel = await w.channel("slack", slack.url, { events: ["release_started"] });
    await w.release(started());
    const outbox = w.outbox();

    expect(await outbox.runOnce()).toEqual({ enqueued: 1, sent: 1 });
    let [row] = await w.deliveries(channel.id);
    expect(row).toMatchObject({ status: "pending", attempts: 1, lastError: "Slack failed (503: upstream unavailable)" });
    expect(row!.nextAttemptAt!.getTime()).toBe(T0 + 5_000);

    w.clock.advance(4_999);
    expect(await outbox.drain()).toEqual({ enqueued: 0, sent: 0 });
    expect(slack.received).toHaveLength(1);

    w.clock.advance(1);
    expect(await outbox.drain()).toEqual({ enqueued: 0, sent: 1 });
    [row] = await w.deliveries(channel.id);
    expect(row).toMatchObject({ status: "delivered", attempts: 2, lastError: null, nextAttemptAt: null });
    expect(row!.deliveredAt!.getTime()).toBe(T0 + 5_000);
    expect(slack.received).toHaveLength(2);
    expect(slack.received[0]!.body).toBe(slack.received[1]!.body);
    expect([await w.counted("retry"), await w.counted("delivered")]).toEqual([1, 1]);
  });

  it("waits as long as a rate-limited receiver's Retry-After asks", async () => {
    const w = await world();
    const discord = await receiver((response, count) =>
      count === 1 ? response.writeHead(429, { "retry-after": "90" }).end('{"message": "You are being rate limited."}') : response.writeHead(204).end(),
    );
    const channel = await w.channel("discord", discord.url, { events: ["release_started"] });
    await w.release(started());
    const outbox = w.outbox();

    await outbox.drain();
    const [row] = await w.deliveries(channel.id);
    expect(row).toMatchObject({ status: "pending", attempts: 1 });
    expect(row!.nextAttemptAt!.getTime()).toBe(T0 + 90_000);
    w.clock.advance(89_999);
    await outbox.drain();
    expect(discord.received).toHaveLength(1);
    w.clock.advance(1);
    await outbox.drain();
    expect((await w.deliveries(channel.id))[0]).toMatchObject({ status: "delivered", attempts: 2 });
  });

  it("fails a refused notification at once, without retrying or showing the URL", async () => {
    const w = await world();
    const gone = await receiver((response) => response.writeHead(404).end("no_service"));
    const invalid = await receiver((response) => response.writeHead(400).end("invalid_blocks"));
    const goneChannel = await w.channel("slack", gone.url, { events: ["release_started"] });
    const invalidChannel = await w.channel("slack", invalid.url, { events: ["release_started"] });
    await w.release(started());
    const outbox = w.outbox();

    await outbox.drain();
    w.clock.advance(3_600_000);
    await outbox.drain();

    expect([gone.received.length, invalid.received.length]).toEqual([1, 1]);
    const [goneRow] = await w.deliveries(goneChannel.id);
    expect(goneRow).toMatchObject({ status: "failed", attempts: 1, nextAttemptAt: null });
    expect(goneRow!.lastError).toBe(
      "Slack refused the notification (404: no_service); the webhook may have been deleted: create a new one and update the channel's URL",
    );
    expect((await w.deliveries(invalidChannel.id))[0]).toMatchObject({ status: "failed", attempts: 1, lastError: "Slack refused the notification (400: invalid_blocks)" });
    expect(await w.counted("failed")).toBe(2);
    expect(await w.counted("retry")).toBe(0);
  });

  it("gives up on a receiver that keeps failing after six attempts, spaced by the backoff", async () => {
    const w = await world();
    const broken = await receiver((response) => response.writeHead(500).end("oops"));
    const channel = await w.channel("webhook", broken.url, { events: ["release_started"] });
    await w.release(started());
    const outbox = w.outbox();

    const waits = [5_000, 30_000, 120_000, 600_000, 1_800_000];
    await outbox.drain();
    for (const wait of waits) {
      const [row] = await w.deliveries(channel.id);
      expect(row!.nextAttemptAt!.getTime() - w.clock.now()).toBe(wait);
      w.clock.advance(wait);
      await outbox.drain();
    }
    expect(broken.received).toHaveLength(6);
    const [row] = await w.deliveries(channel.id);
    expect(row).toMatchObject({ status: "failed", attempts: 6, nextAttemptAt: null });
    expect(row!.lastError).toBe("the webhook at " + new URL(broken.url).host + " failed (500: oops); gave up after 6 attempts");
    expect([await w.counted("retry", "webhook"), await w.counted("failed", "webhook")]).toEqual([5, 1]);
  });

  it("sends a channel only the events it subscribes to", async () => {
    const w = await world();
    const slack = await receiver();
    const rollbacksOnly = await w.channel("slack", slack.url, { events: ["rolled_back"] });
    const outbox = w.outbox();

    await w.release(started());
    expect(await outbox.drain()).toEqual({ enqueued: 0, sent: 0 });
    expect(slack.received).toHaveLength(0);

    const { release } = await w.release(rolledBackAtStage2());
    await outbox.drain();
    expect(slack.received).toHaveLength(1);
    expect(slack.bodies()[0]).toMatchObject({ text: expect.stringContaining(`${release.name}: v2 rolled back at stage 2 (25%)`) });
    expect((await w.deliveries(rollbacksOnly.id)).map((row) => row.kind)).toEqual(["rolled_back"]);
  });

  it("sends nothing to a disabled channel, nor for releases of other teams or of none", async () => {
    const w = await world();
    const disabled = await receiver();
    await w.channel("slack", disabled.url, { enabled: false });
    const enabled = await receiver();
    await w.channel("slack", enabled.url, { events: ["release_started"] });
    await new IdentityStore(w.db).createTeam({ id: "team_other", slug: "other", name: "Other", createdAt: new Date(T0) });
    const releases = new ReleaseStore(w.db);
    const run = started();
    await releases.insert({ ...run.release, id: randomUUID(), name: "elsewhere" }, run.events, { teamId: "team_other" });
    await releases.insert({ ...run.release, id: randomUUID(), name: "cli" }, run.events);
    await w.release(run, "ours");

    await w.outbox().drain();
    expect([disabled.received.length, enabled.received.length]).toEqual([0, 1]);
    expect(enabled.bodies()[0]).toMatchObject({ text: expect.stringMatching(/^ours: rolling out v2/) });
  });

  it("does not announce events a day old, as after a long outage", async () => {
    const w = await world();
    const slack = await receiver();
    await w.channel("slack", slack.url, { events: ["release_started"] });
    await w.release(started());
    w.clock.advance(86_400_001);
    expect(await w.outbox().drain()).toEqual({ enqueued: 0, sent: 0 });
    expect(slack.received).toHaveLength(0);
  });

  it("neither loses nor repeats a notice across a restart on the same database", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "glidepath-outbox-"));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const secretKey = randomBytes(32);
    const clock = manualClock();
    const slack = await receiver();

    let database = await openEmbeddedDatabase(dataDir);
    let w = await world(database, { secretKey, clock });
    await w.channel("slack", slack.url);
    const first = await w.release(rolledBackAtStage2(), "first");
    await w.outbox().drain();
    expect(slack.received).toHaveLength(3);
    // Written while no outbox runs: found by the next one.
    const second = await w.release(started(), "second");
    await database.close();

    database = await openEmbeddedDatabase(dataDir);
    cleanups.push(() => database.close());
    w = await world(database, { secretKey, clock });
    const restarted = w.outbox();
    await restarted.drain();
    await w.outbox().drain();

    const titles = slack.bodies().map((body) => body.text as string);
    expect(titles).toHaveLength(4);
    expect(titles.slice(0, 3).every((text) => text.startsWith(`${first.release.name}:`))).toBe(true);
    expect(titles[3]).toMatch(/^second: rolling out v2/);
    expect(second.release.name).toBe("second");
  });

  it("sends a delivery a crashed replica had claimed, once its claim runs out", async () => {
    const w = await world();
    const slack = await receiver();
    const channel = await w.channel("slack", slack.url, { events: ["release_started"] });
    await w.release(started());
    const outbox = w.outbox();
    expect(await outbox.drain()).toEqual({ enqueued: 1, sent: 1 });

    // Fed and claimed by a replica that dies before it sends.
    await w.release(started());
    await w.outbox({ concurrency: 0 }).runOnce();
    expect(await w.store.claimDue({ now: w.clock.now(), leaseMs: 30_000, limit: 10 })).toHaveLength(1);

    expect(await outbox.drain()).toEqual({ enqueued: 0, sent: 0 });
    w.clock.advance(30_000);
    expect(await outbox.drain()).toEqual({ enqueued: 0, sent: 1 });
    expect(slack.received).toHaveLength(2);
    expect((await w.deliveries(channel.id)).map((row) => [row.status, row.attempts])).toEqual([
      ["delivered", 1],
      ["delivered", 1],
    ]);
  });

  it("keeps a slow receiver from holding up the others", async () => {
    const w = await world();
    const silent = await receiver(() => {});
    const fast = await receiver();
    const slowChannel = await w.channel("webhook", silent.url, { events: ["release_started"] });
    await w.channel("slack", fast.url, { events: ["release_started"] });
    await w.release(started());
    await w.release(started());
    const outbox = w.outbox({ timeoutMs: 2_000 });
    const claimDue = vi.spyOn(w.store, "claimDue");

    outbox.start();
    await fast.until(2);
    expect(silent.received).toHaveLength(1);
    expect((await w.deliveries(slowChannel.id)).map((row) => row.status)).toEqual(["pending", "pending"]);
    // The slow channel's second notice is due but waits for the first, without the outbox spinning meanwhile.
    for (let turn = 0; turn < 500; turn++) await new Promise((resolve) => setImmediate(resolve));
    expect(claimDue.mock.calls.length).toBeLessThan(10);
    await outbox.stop();
    const rows = await w.deliveries(slowChannel.id);
    expect(rows[0]).toMatchObject({ status: "pending", attempts: 1, lastError: `the webhook at ${new URL(silent.url).host} did not answer within 2s` });
    expect(rows[1]).toMatchObject({ status: "pending", attempts: 0 });
  });

  it("runs in the background once started, woken by a nudge", async () => {
    const w = await world();
    const slack = await receiver();
    await w.channel("slack", slack.url, { events: ["release_started"] });
    const outbox = w.outbox();
    outbox.start();
    await w.release(started());
    outbox.nudge();
    await slack.until(1);
    await outbox.stop();
    expect(slack.received).toHaveLength(1);
  });
});
