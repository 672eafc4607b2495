import { z, type OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { randomUUID } from "node:crypto";
import { CHANNEL_TYPES, sendTest, type Channel } from "../../notify/deliver.js";
import { NOTICE_KINDS } from "../../notify/notice.js";
import { NotificationStore, type ChannelRecord, type DeliveryRecord } from "../../store/notification-store.js";
import { recordAudit } from "../audit.js";
import type { ServerEnv } from "../context.js";
import { channelSecretBinding, openChannel, type ChannelSecret, type DeliveryMessage } from "../outbox.js";
import { badRequest, conflict, HttpProblem, notFound } from "../problems.js";
import { iso, jsonBody, jsonResponse, pathId, problem, TeamParams, teamRoute, Timestamp } from "../route-kit.js";

const TEST_TIMEOUT_MS = 10_000;

const ChannelType = z.enum(CHANNEL_TYPES).openapi({ description: "Where the notices go; the message is in that service's own format." });
const NoticeKind = z.enum(NOTICE_KINDS);
const WebhookUrl = z
  .url({ protocol: /^https?$/, error: "must be the http(s) URL the service gave for its incoming webhook" })
  .max(2000)
  .openapi({
    description: "The incoming webhook's URL. It grants posting, so it is sealed at rest and never shown again: only its host is.",
    example: "https://hooks.slack.com/services/T000/B000/XXXX",
  });
const SigningSecret = z.string().min(1).max(500).openapi({
  description: "Generic webhooks only: signs each body (X-Glidepath-Signature, HMAC-SHA256). Sealed at rest and never shown again.",
});
const Subscriptions = z
  .array(NoticeKind)
  .min(1, "subscribe to at least one event, or disable the channel")
  .openapi({ description: "The events the channel is sent." });

const NewChannelSchema = z
  .object({
    name: z.string().trim().min(1).max(100).openapi({ example: "deploys" }),
    type: ChannelType,
    url: WebhookUrl,
    secret: SigningSecret.optional(),
    events: Subscriptions.optional().openapi({ description: "The events the channel is sent; all of them when left out." }),
    enabled: z.boolean().optional().openapi({ description: "true when left out." }),
  })
  .strict()
  .openapi("NewChannel");

const ChannelChangeSchema = z
  .object({
    name: z.string().trim().min(1).max(100).optional(),
    type: ChannelType.optional(),
    url: WebhookUrl.optional(),
    secret: SigningSecret.nullable().optional().openapi({ description: "null: send unsigned from now on." }),
    events: Subscriptions.optional(),
    enabled: z.boolean().optional(),
  })
  .strict()
  .openapi("ChannelChange");

const ChannelSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    type: ChannelType,
    host: z
      .string()
      .nullable()
      .openapi({ description: "The host of the webhook URL, the only part of it shown; null when it cannot be read back.", example: "hooks.slack.com" }),
    signed: z.boolean().openapi({ description: "Whether bodies are signed with a secret (generic webhooks)." }),
    events: z.array(NoticeKind),
    enabled: z.boolean(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .openapi("Channel");

const DeliverySchema = z
  .object({
    id: z.number().int(),
    eventId: z.number().int().nullable(),
    releaseId: z.string().nullable(),
    kind: z.string().openapi({ example: "rolled_back" }),
    title: z.string().nullable().openapi({ description: "The notice's title.", example: "checkout: v2 rolled back at stage 2 (25%)" }),
    status: z.enum(["pending", "delivered", "failed"]),
    attempts: z.number().int(),
    lastError: z.string().nullable().openapi({ description: "Why the last attempt failed, in the receiver's own words where it gave any." }),
    createdAt: Timestamp,
    nextAttemptAt: Timestamp.nullable(),
    deliveredAt: Timestamp.nullable(),
  })
  .openapi("Delivery");

const DeliveryResultSchema = z
  .object({
    ok: z.boolean(),
    status: z.number().int().optional().openapi({ description: "The receiver's HTTP status, when it answered." }),
    error: z.string().optional(),
    retryable: z.boolean().optional().openapi({ description: "Whether the failure may pass by itself (5xx, 429, no answer)." }),
    retryAfterMs: z.number().optional(),
  })
  .openapi("DeliveryResult");

const ChannelParams = TeamParams.extend({ channel: pathId("channel") });
const DeliveriesQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).optional().openapi({ description: "At most this many, 50 by default." }),
  before: z.coerce.number().int().min(1).optional().openapi({ description: "Deliveries older than this id: the next page." }),
});


const listChannels = teamRoute("viewer", {
  method: "get",
  path: "/api/v1/teams/{team}/channels",
  tags: ["Channels"],
  summary: "List the team's notification channels",
  request: { params: TeamParams },
  responses: { 200: jsonResponse(z.object({ channels: z.array(ChannelSchema) }), "The channels, without their URLs and secrets.") },
});

const createChannel = teamRoute("admin", {
  method: "post",
  path: "/api/v1/teams/{team}/channels",
  tags: ["Channels"],
  summary: "Add a notification channel",
  description: "Slack, Discord, Google Chat or any HTTP endpoint. Send it a test notification to check the URL works.",
  request: { params: TeamParams, ...jsonBody(NewChannelSchema) },
  responses: {
    201: jsonResponse(ChannelSchema, "The new channel."),
    409: problem("The team has a channel of this name."),
  },
});

const getChannel = teamRoute("viewer", {
  method: "get",
  path: "/api/v1/teams/{team}/channels/{channel}",
  tags: ["Channels"],
  summary: "Show a notification channel",
  request: { params: ChannelParams },
  responses: { 200: jsonResponse(ChannelSchema, "The channel, without its URL and secret.") },
});

const updateChannel = teamRoute("admin", {
  method: "patch",
  path: "/api/v1/teams/{team}/channels/{channel}",
  tags: ["Channels"],
  summary: "Change a notification channel",
  description: "Changes the given fields only. Notices already queued go out with the new URL.",
  request: { params: ChannelParams, ...jsonBody(ChannelChangeSchema) },
  responses: {
    200: jsonResponse(ChannelSchema, "The changed channel."),
    409: problem("The team has another channel of the new name."),
    422: problem("The stored URL cannot be read back (the server's secret key changed); send the url with the change."),
  },
});

const deleteChannel = teamRoute("admin", {
  method: "delete",
  path: "/api/v1/teams/{team}/channels/{channel}",
  tags: ["Channels"],
  summary: "Delete a notification channel",
  description: "Its queued notices are dropped with it.",
  request: { params: ChannelParams },
  responses: { 204: { description: "Deleted, with its deliveries." } },
});

const testChannel = teamRoute("admin", {
  method: "post",
  path: "/api/v1/teams/{team}/channels/{channel}/test",
  tags: ["Channels"],
  summary: "Send a test notification",
  description:
    "Sends the test notification now and reports how it went: `ok: true` with the receiver's status, or `ok: false` with the error and whether it is worth trying again. A refusal is an answer, not an error of this request.",
  request: { params: ChannelParams },
  responses: { 200: jsonResponse(DeliveryResultSchema, "What the receiver answered.") },
});

const listDeliveries = teamRoute("viewer", {
  method: "get",
  path: "/api/v1/teams/{team}/channels/{channel}/deliveries",
  tags: ["Channels"],
  summary: "List a channel's recent deliveries",
  description: "Newest first: what was sent or is waiting, how many attempts it took, and the last error.",
  request: { params: ChannelParams, query: DeliveriesQuery },
  responses: { 200: jsonResponse(z.object({ deliveries: z.array(DeliverySchema) }), "The deliveries.") },
});

export function channelRoutes(app: OpenAPIHono<ServerEnv>): void {
  app.openapi(listChannels, async (c) => {
    const found = await store(c).channels(c.var.access.team.id);
    return c.json({ channels: found.map((channel) => channelView(c, channel)) }, 200);
  });

  app.openapi(createChannel, async (c) => {
    const input = c.req.valid("json");
    const { services, access } = c.var;
    refuseSecretUnlessWebhook(input.type, input.secret);
    const id = randomUUID();
    const now = new Date(services.clock.now());
    const events = input.events ? unique(input.events) : [...NOTICE_KINDS];
    const created = await store(c).createChannel({
      id,
      teamId: access.team.id,
      name: input.name,
      type: input.type,
      events,
      enabled: input.enabled ?? true,
      sealedSecret: seal(c, id, { url: input.url, ...(input.secret !== undefined && { secret: input.secret }) }),
      createdAt: now,
      updatedAt: now,
    });
    if (created === "name_taken") throw conflict(`the team already has a channel named ${input.name}; choose another name`);
    const view = channelView(c, created);
    await recordAudit(c, {
      action: "channel.create",
      objectId: id,
      details: { name: view.name, type: view.type, host: view.host, signed: view.signed, events, enabled: view.enabled },
    });
    return c.json(view, 201);
  });

  app.openapi(getChannel, async (c) => {
    return c.json(channelView(c, await existing(c, c.req.valid("param").channel)), 200);
  });

  app.openapi(updateChannel, async (c) => {
    const changes = c.req.valid("json");
    const { services, access } = c.var;
    const channel = await existing(c, c.req.valid("param").channel);
    const type = changes.type ?? channel.type;

    let sealedSecret: string | undefined;
    if (changes.url !== undefined || changes.secret !== undefined || changes.type !== undefined) {
      const stored = openChannel(services.secrets, channel);
      if (stored instanceof Error && changes.url === undefined) {
        throw new HttpProblem(422, "channel_unreadable", `${stored.message}; send the channel's url again with this change`);
      }
      const url = changes.url ?? (stored as Channel).url;
      const secret = changes.secret === undefined ? (stored instanceof Error ? undefined : stored.secret) : (changes.secret ?? undefined);
      if (changes.secret !== undefined || changes.type !== undefined) refuseSecretUnlessWebhook(type, secret, changes.secret === undefined);
      sealedSecret = seal(c, channel.id, { url, ...(secret !== undefined && { secret }) });
    }
    const updated = await store(c).updateChannel(access.team.id, channel.id, {
      ...(changes.name !== undefined && { name: changes.name }),
      ...(changes.type !== undefined && { type: changes.type }),
      ...(changes.events !== undefined && { events: unique(changes.events) }),
      ...(changes.enabled !== undefined && { enabled: changes.enabled }),
      ...(sealedSecret !== undefined && { sealedSecret }),
      updatedAt: new Date(services.clock.now()),
    });
    if (updated === "name_taken") throw conflict(`the team already has a channel named ${changes.name}; choose another name`);
    if (!updated) throw notFound(`channel ${channel.id}`);
    const view = channelView(c, updated);
    await recordAudit(c, {
      action: "channel.update",
      objectId: channel.id,
      details: {
        name: view.name,
        ...(view.name !== channel.name && { previousName: channel.name }),
        changed: Object.keys(changes).sort(),
        type: view.type,
        host: view.host,
        signed: view.signed,
        events: view.events,
        enabled: view.enabled,
      },
    });
    return c.json(view, 200);
  });

  app.openapi(deleteChannel, async (c) => {
    const channel = await existing(c, c.req.valid("param").channel);
    const deleted = await store(c).deleteChannel(c.var.access.team.id, channel.id);
    if (!deleted) throw notFound(`channel ${channel.id}`);
    await recordAudit(c, { action: "channel.delete", objectId: channel.id, details: { name: channel.name, type: channel.type } });
    return c.body(null, 204);
  });

  app.openapi(testChannel, async (c) => {
    const { services } = c.var;
    const channel = await existing(c, c.req.valid("param").channel);
    const target = openChannel(services.secrets, channel);
    const result = target instanceof Error
      ? { ok: false as const, retryable: false, error: target.message }
      : await sendTest(target, { timeoutMs: TEST_TIMEOUT_MS, now: () => services.clock.now() });
    await recordAudit(c, {
      action: "channel.test",
      objectId: channel.id,
      details: { name: channel.name, ok: result.ok, ...("status" in result && result.status !== undefined && { status: result.status }) },
    });
    return c.json(result, 200);
  });

  app.openapi(listDeliveries, async (c) => {
    const channel = await existing(c, c.req.valid("param").channel);
    const { limit = 50, before } = c.req.valid("query");
    const found = await store(c).deliveries(channel.id, { limit, ...(before !== undefined && { before }) });
    return c.json({ deliveries: found.map(deliveryView) }, 200);
  });
}

const store = (c: Context<ServerEnv>) => new NotificationStore(c.var.services.db);

async function existing(c: Context<ServerEnv>, id: string): Promise<ChannelRecord> {
  const channel = await store(c).channel(c.var.access.team.id, id);
  if (!channel) throw notFound(`channel ${id}`);
  return channel;
}

function seal(c: Context<ServerEnv>, id: string, secret: ChannelSecret): string {
  return c.var.services.secrets.seal(JSON.stringify(secret), channelSecretBinding(id));
}

/** Only generic webhooks are signed; a secret on another type would give a false sense of security. */
function refuseSecretUnlessWebhook(type: string, secret: string | undefined, kept = false) {
  if (type === "webhook" || secret === undefined) return;
  const message = kept
    ? `only generic webhooks are signed; remove the secret (secret: null) to make this a ${type} channel`
    : `only generic webhooks are signed; ${type} channels take no secret`;
  throw badRequest(`the body is invalid: body.secret: ${message}`, [{ field: "body.secret", message }]);
}

function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}

/** A channel as the API shows it: never its URL (only the host) nor its secret. */
function channelView(c: Context<ServerEnv>, channel: ChannelRecord) {
  const opened = openChannel(c.var.services.secrets, channel);
  return {
    id: channel.id,
    name: channel.name,
    type: channel.type as (typeof CHANNEL_TYPES)[number],
    host: opened instanceof Error || !URL.canParse(opened.url) ? null : new URL(opened.url).host,
    signed: !(opened instanceof Error) && opened.secret !== undefined,
    events: channel.events as (typeof NOTICE_KINDS)[number][],
    enabled: channel.enabled,
    createdAt: iso(channel.createdAt)!,
    updatedAt: iso(channel.updatedAt)!,
  };
}

function deliveryView(delivery: DeliveryRecord) {
  const { notice } = delivery.message as Partial<DeliveryMessage>;
  return {
    id: delivery.id,
    eventId: delivery.eventId,
    releaseId: delivery.releaseId,
    kind: delivery.kind,
    title: notice?.title ?? null,
    status: delivery.status as "pending" | "delivered" | "failed",
    attempts: delivery.attempts,
    lastError: delivery.lastError,
    createdAt: iso(delivery.createdAt)!,
    nextAttemptAt: delivery.status === "pending" ? iso(delivery.nextAttemptAt) : null,
    deliveredAt: iso(delivery.deliveredAt),
  };
}
