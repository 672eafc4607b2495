import { createServer, type IncomingHttpHeaders, type RequestListener, type Server } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { closeServer, listen } from "../support/listen.js";
import { deliver, sendTest, type Channel } from "./deliver.js";
import { discordPayload } from "./discord.js";
import { noticeFor, testNotice, type Notice } from "./notice.js";
import { rolledBackAtStage2, T0 } from "./release-run.test-support.js";
import { verifySignature } from "./signature.js";
import { slackPayload } from "./slack.js";
import type { NoticeSubject } from "./webhook.js";

/** Part of a real webhook URL that grants posting; no error message may show it. */
const TOKEN_PATH = "/services/T0001/B0002/s3cr3tt0k3n";
const OPTIONS = { timeoutMs: 5000, now: () => T0 };

interface Received {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => closeServer(server)));
});

/** A real HTTP receiver on loopback that records what it was sent and answers as told. */
async function receiver(answer: (response: Parameters<RequestListener>[1]) => void) {
  const received: Received[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      received.push({ method: request.method!, path: request.url!, headers: request.headers, body: Buffer.concat(chunks).toString() });
      answer(response);
    });
  });
  servers.push(server);
  const { port } = await listen(server, { host: "127.0.0.1", port: 0 });
  return { url: `http://127.0.0.1:${port}${TOKEN_PATH}`, received };
}

function rollback(): { notice: Notice; subject: NoticeSubject } {
  const run = rolledBackAtStage2();
  const event = run.last("rolled_back");
  return { notice: noticeFor(run.release, event)!, subject: { release: run.release, event } };
}

describe("deliver", () => {
  it("posts the channel's own format as JSON with Glidepath's user agent", async () => {
    const { url, received } = await receiver((response) => response.writeHead(200).end("ok"));
    const { notice, subject } = rollback();

    expect(await deliver({ type: "slack", url }, notice, subject, OPTIONS)).toEqual({ ok: true, status: 200 });
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ method: "POST", path: TOKEN_PATH });
    expect(received[0]!.headers["content-type"]).toBe("application/json");
    expect(received[0]!.headers["user-agent"]).toMatch(/^glidepath\/\d+\.\d+\.\d+/);
    expect(JSON.parse(received[0]!.body)).toEqual(slackPayload(notice));
    expect(received[0]!.headers["x-glidepath-signature"]).toBeUndefined();
  });

  it("signs generic webhook bodies so the receiver can verify them", async () => {
    const { url, received } = await receiver((response) => response.writeHead(204).end());
    const { notice, subject } = rollback();

    expect(await deliver({ type: "webhook", url, secret: "whsec_1" }, notice, subject, OPTIONS)).toEqual({ ok: true, status: 204 });
    const [{ headers, body }] = received as [Received];
    expect(verifySignature("whsec_1", headers, body, T0)).toEqual({ ok: true });
    expect(verifySignature("whsec_2", headers, body, T0).ok).toBe(false);
    expect(JSON.parse(body)).toMatchObject({ kind: "rolled_back", release: { id: "rel_1", state: "rolled_back" }, event: { type: "rolled_back" }, sentAt: T0 });
  });

  it("passes on a 429's Retry-After, in seconds or as a date", async () => {
    const seconds = await receiver((response) => response.writeHead(429, { "retry-after": "7" }).end('{"message": "You are being rate limited.", "retry_after": 7, "global": false}'));
    const { notice, subject } = rollback();

    expect(await deliver({ type: "discord", url: seconds.url }, notice, subject, OPTIONS)).toEqual({
      ok: false,
      retryable: true,
      status: 429,
      retryAfterMs: 7000,
      error: "Discord is rate limiting Glidepath (429: You are being rate limited.)",
    });

    const date = await receiver((response) => response.writeHead(429, { "retry-after": new Date(T0 + 30_000).toUTCString() }).end());
    expect(await deliver({ type: "slack", url: date.url }, notice, subject, OPTIONS)).toMatchObject({ retryable: true, retryAfterMs: 30_000 });
  });

  it("counts a 5xx as worth retrying", async () => {
    const { url } = await receiver((response) => response.writeHead(503).end("upstream unavailable"));
    const { notice, subject } = rollback();

    expect(await deliver({ type: "google_chat", url }, notice, subject, OPTIONS)).toEqual({
      ok: false,
      retryable: true,
      status: 503,
      error: "Google Chat failed (503: upstream unavailable)",
    });
  });

  it("gives up on a 400 with the service's own words", async () => {
    const discordError = {
      code: 50035,
      errors: { embeds: { 0: { description: { _errors: [{ code: "BASE_TYPE_MAX_LENGTH", message: "Must be 4096 or fewer in length." }] } } } },
      message: "Invalid Form Body",
    };
    const discord = await receiver((response) => response.writeHead(400, { "content-type": "application/json" }).end(JSON.stringify(discordError)));
    const slack = await receiver((response) => response.writeHead(400).end("invalid_blocks\n"));
    const { notice, subject } = rollback();

    const refused = await deliver({ type: "discord", url: discord.url }, notice, subject, OPTIONS);
    expect(refused).toMatchObject({ ok: false, retryable: false, status: 400 });
    expect(!refused.ok && refused.error).toMatch(/^Discord refused the notification \(400: Invalid Form Body \{.*BASE_TYPE_MAX_LENGTH.*\}\)$/);
    expect(await deliver({ type: "slack", url: slack.url }, notice, subject, OPTIONS)).toEqual({
      ok: false,
      retryable: false,
      status: 400,
      error: "Slack refused the notification (400: invalid_blocks)",
    });
  });

  it("says what to do when the webhook is gone, without showing its URL", async () => {
    const googleError = { error: { code: 404, message: "Requested entity was not found.", status: "NOT_FOUND" } };
    const { url } = await receiver((response) => response.writeHead(404).end(JSON.stringify(googleError)));
    const { notice, subject } = rollback();

    const result = await deliver({ type: "google_chat", url }, notice, subject, OPTIONS);
    expect(result).toEqual({
      ok: false,
      retryable: false,
      status: 404,
      error:
        "Google Chat refused the notification (404: Requested entity was not found.); " +
        "the webhook may have been deleted: create a new one and update the channel's URL",
    });
  });

  it("times out a receiver that never answers, as worth retrying", async () => {
    const { url } = await receiver(() => {});
    const { notice, subject } = rollback();

    const result = await deliver({ type: "webhook", url, secret: "s" }, notice, subject, { ...OPTIONS, timeoutMs: 200 });
    expect(result).toEqual({ ok: false, retryable: true, error: `the webhook at ${new URL(url).host} did not answer within 0.2s` });
  });

  it("reports a closed port as a network error worth retrying", async () => {
    const { url } = await receiver(() => {});
    await closeServer(servers.pop()!);
    const { notice, subject } = rollback();

    const result = await deliver({ type: "slack", url }, notice, subject, OPTIONS);
    expect(result).toEqual({ ok: false, retryable: true, error: "cannot reach Slack (ECONNREFUSED)" });
  });

  it("refuses a URL that is not http(s) without sending anything", async () => {
    const { notice, subject } = rollback();
    for (const url of ["hooks.slack.com/services/x", "ftp://example.com/hook"]) {
      expect(await deliver({ type: "slack", url }, notice, subject, OPTIONS)).toEqual({
        ok: false,
        retryable: false,
        error: "the Slack channel's URL is not an http(s) URL; paste the webhook URL again",
      });
    }
  });
});

describe("sendTest", () => {
  it("posts a test notification in the channel's format", async () => {
    const { url, received } = await receiver((response) => response.writeHead(204).end());
    const channel: Channel = { type: "discord", url };

    expect(await sendTest(channel, OPTIONS)).toEqual({ ok: true, status: 204 });
    expect(JSON.parse(received[0]!.body)).toEqual(discordPayload(testNotice(T0)));
    expect(discordPayload(testNotice(T0)).embeds[0].title).toBe("Glidepath test notification");
  });
});
