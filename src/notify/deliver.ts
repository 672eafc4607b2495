import { createRequire } from "node:module";
import { request } from "undici";
import { discordPayload } from "./discord.js";
import { googleChatPayload } from "./google-chat.js";
import { testNotice, type Notice } from "./notice.js";
import { signatureHeaders } from "./signature.js";
import { slackPayload } from "./slack.js";
import { truncate } from "./text.js";
import { webhookPayload, type NoticeSubject } from "./webhook.js";

export const CHANNEL_TYPES = ["slack", "discord", "google_chat", "webhook"] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];

export interface Channel {
  type: ChannelType;
  /** The service's incoming webhook URL. It grants posting, so it is a secret: never put it in a message. */
  url: string;
  /** Signs generic webhook bodies; without it they go unsigned. */
  secret?: string;
}

export interface DeliveryOptions {
  /** How long the whole request may take, answer included. */
  timeoutMs: number;
  /** Epoch milliseconds; the system clock by default. */
  now?: () => number;
}

export type DeliveryResult =
  | { ok: true; status: number }
  | { ok: false; retryable: boolean; status?: number; error: string; retryAfterMs?: number };

const { version } = createRequire(import.meta.url)("../../package.json") as { version: string };
const USER_AGENT = `glidepath/${version}`;
const SERVICE_ERROR_MAX = 300;

/** Posts a notice to a channel in the channel's own format. Every failure comes back as a result; it never throws. */
export async function deliver(
  channel: Channel,
  notice: Notice,
  subject: NoticeSubject | null,
  options: DeliveryOptions,
): Promise<DeliveryResult> {
  const url = URL.canParse(channel.url) ? new URL(channel.url) : null;
  if (!url || (url.protocol !== "https:" && url.protocol !== "http:")) {
    return { ok: false, retryable: false, error: `the ${serviceName(channel.type)} channel's URL is not an http(s) URL; paste the webhook URL again` };
  }
  const receiver = channel.type === "webhook" ? `the webhook at ${url.host}` : serviceName(channel.type);
  const now = options.now ?? Date.now;
  const sentAt = now();
  let body: string;
  try {
    body = JSON.stringify(payloadFor(channel.type, notice, subject, sentAt));
  } catch (error) {
    return { ok: false, retryable: false, error: `cannot build the ${serviceName(channel.type)} message: ${(error as Error).message}` };
  }
  const headers = {
    "content-type": "application/json",
    "user-agent": USER_AGENT,
    ...(channel.type === "webhook" && channel.secret ? signatureHeaders(channel.secret, body, sentAt) : {}),
  };
  try {
    const response = await request(url, {
      method: "POST",
      headers,
      body,
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    const answer = await response.body.text();
    if (response.statusCode >= 200 && response.statusCode < 300) return { ok: true, status: response.statusCode };
    const retryAfter = [response.headers["retry-after"]].flat()[0];
    return refused(receiver, channel.type, response.statusCode, serviceError(answer), retryAfterMs(retryAfter, now()));
  } catch (error) {
    return unreachable(receiver, error as Error & { code?: string }, options.timeoutMs);
  }
}

/** Sends the test notification that tells whoever set up a channel whether it works. */
export function sendTest(channel: Channel, options: DeliveryOptions = { timeoutMs: 10_000 }): Promise<DeliveryResult> {
  return deliver(channel, testNotice((options.now ?? Date.now)()), null, options);
}

function payloadFor(type: ChannelType, notice: Notice, subject: NoticeSubject | null, sentAt: number): object {
  switch (type) {
    case "slack":
      return slackPayload(notice);
    case "discord":
      return discordPayload(notice);
    case "google_chat":
      return googleChatPayload(notice);
    case "webhook":
      return webhookPayload(notice, subject, sentAt);
  }
}

function serviceName(type: ChannelType): string {
  return { slack: "Slack", discord: "Discord", google_chat: "Google Chat", webhook: "webhook" }[type];
}

function refused(receiver: string, type: ChannelType, status: number, said: string, retryAfterMs: number | undefined): DeliveryResult {
  const detail = said ? `${status}: ${said}` : String(status);
  const retryAfter = retryAfterMs === undefined ? {} : { retryAfterMs };
  if (status === 429) return { ok: false, retryable: true, status, error: `${receiver} is rate limiting Glidepath (${detail})`, ...retryAfter };
  if (status >= 500 || status === 408) return { ok: false, retryable: true, status, error: `${receiver} failed (${detail})`, ...retryAfter };
  return { ok: false, retryable: false, status, error: `${receiver} refused the notification (${detail})${advice(type, status)}` };
}

function unreachable(receiver: string, error: Error & { code?: string }, timeoutMs: number): DeliveryResult {
  if (error.name === "TimeoutError") return { ok: false, retryable: true, error: `${receiver} did not answer within ${timeoutMs / 1000}s` };
  return { ok: false, retryable: true, error: `cannot reach ${receiver} (${error.code ?? error.message})` };
}

function advice(type: ChannelType, status: number): string {
  if (status >= 300 && status < 400) return "; webhook URLs must not redirect: use the final URL";
  if (status === 404 || status === 410) return "; the webhook may have been deleted: create a new one and update the channel's URL";
  if (status === 401 || status === 403) {
    return type === "webhook" ? "; check the channel's URL and that the receiver has the same secret" : "; check the channel's URL";
  }
  return "";
}

/** The service's own words: Discord's `message` and `errors`, Google's `error.message`, Slack's plain text. */
function serviceError(answer: string): string {
  const said = messageIn(parseJson(answer)) ?? answer;
  return truncate(said.replace(/\s+/g, " ").trim(), SERVICE_ERROR_MAX);
}

function messageIn(json: unknown): string | undefined {
  if (typeof json !== "object" || json === null) return undefined;
  const { message, error, errors } = json as { message?: unknown; error?: unknown; errors?: unknown };
  // Discord says which field broke which limit only in `errors`.
  if (typeof message === "string") return errors === undefined ? message : `${message} ${JSON.stringify(errors)}`;
  if (typeof error === "string") return error;
  const nested = typeof error === "object" && error !== null ? (error as { message?: unknown }).message : undefined;
  return typeof nested === "string" ? nested : undefined;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Retry-After in seconds or as an HTTP date. */
function retryAfterMs(header: string | undefined, now: number): number | undefined {
  if (header === undefined) return undefined;
  const seconds = Number(header);
  if (header.trim() !== "" && Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
