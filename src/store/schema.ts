import { sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  boolean,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  primaryKey,
  uniqueIndex,
} from "drizzle-orm/pg-core";
import type { SloResult } from "../core/check.js";
import type { Plan } from "../core/plan.js";
import type { Release, TargetRef } from "../core/release.js";
import type { SliSample } from "../core/sli.js";
import type { Split } from "../core/split.js";

const moment = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });

export const releases = pgTable(
  "releases",
  {
    id: text("id").primaryKey(),
    /** The team that owns a release made through the server; null for `glidepath rollout`. */
    teamId: text("team_id").references(() => teams.id, { onDelete: "cascade" }),
    /** The server's target the release runs on; null for `glidepath rollout`. */
    targetId: text("target_id").references(() => targets.id, { onDelete: "restrict" }),
    /** Who created it: a user's email or a token's name. */
    createdBy: text("created_by"),
    /** The change ticket or pull request the release belongs to, given when it was created. */
    ticketUrl: text("ticket_url"),
    name: text("name").notNull(),
    target: jsonb("target").$type<TargetRef>().notNull(),
    stable: text("stable").notNull(),
    candidate: text("candidate").notNull(),
    plan: jsonb("plan").$type<Plan>().notNull(),
    state: text("state").notNull(),
    stageIndex: integer("stage_index").notNull(),
    stageStartedAt: moment("stage_started_at"),
    soakServedSeconds: doublePrecision("soak_served_seconds").notNull(),
    soakAwaitsPass: boolean("soak_awaits_pass").notNull().default(false),
    lastCheckAt: moment("last_check_at"),
    lastVerdict: text("last_verdict"),
    consecutiveFailures: integer("consecutive_failures").notNull(),
    evidence: jsonb("evidence").$type<Release["evidence"]>().notNull().default([]),
    pausedFrom: text("paused_from"),
    nextRunAt: moment("next_run_at"),
    reason: text("reason"),
    appliedSplit: jsonb("applied_split").$type<Split>(),
    /** Bumped by every write, so two writers cannot both win. */
    revision: integer("revision").notNull().default(0),
    /** The replica driving this release until `leaseExpiresAt`; see ReleaseStore.claimDue. */
    leaseOwner: text("lease_owner"),
    leaseExpiresAt: moment("lease_expires_at"),
    createdAt: moment("created_at").notNull(),
    updatedAt: moment("updated_at").notNull(),
    finishedAt: moment("finished_at"),
  },
  (table) => [
    uniqueIndex("releases_active_name")
      .on(sql`coalesce(${table.teamId}, '')`, table.name)
      .where(sql`${table.finishedAt} is null`),
    // One release at a time per target: two would fight over the same split.
    uniqueIndex("releases_active_target").on(table.targetId).where(sql`${table.finishedAt} is null`),
    index("releases_next_run_at").on(table.nextRunAt),
    index("releases_team_created").on(table.teamId, table.createdAt),
  ],
);

export const checks = pgTable(
  "checks",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    releaseId: text("release_id")
      .notNull()
      .references(() => releases.id, { onDelete: "cascade" }),
    stageIndex: integer("stage_index").notNull(),
    at: moment("at").notNull(),
    windowFrom: moment("window_from").notNull(),
    windowTo: moment("window_to").notNull(),
    verdict: text("verdict").notNull(),
    note: text("note"),
    samples: jsonb("samples").$type<{ stable: SliSample | null; candidate: SliSample | null }>().notNull(),
    results: jsonb("results").$type<SloResult[]>().notNull(),
  },
  (table) => [index("checks_release").on(table.releaseId, table.id)],
);

export const events = pgTable(
  "events",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    releaseId: text("release_id")
      .notNull()
      .references(() => releases.id, { onDelete: "cascade" }),
    at: moment("at").notNull(),
    type: text("type").notNull(),
    actor: text("actor").notNull(),
    data: jsonb("data").$type<Record<string, unknown>>().notNull(),
  },
  (table) => [index("events_release").on(table.releaseId, table.id)],
);

export const teams = pgTable("teams", {
  id: text("id").primaryKey(),
  /** The team's name in URLs: lowercase letters, digits and dashes. */
  slug: text("slug").notNull().unique(),
  name: text("name").notNull(),
  createdAt: moment("created_at").notNull(),
});

export const users = pgTable("users", {
  id: text("id").primaryKey(),
  /** Stored lowercase, so sign-in ignores case. */
  email: text("email").notNull().unique(),
  name: text("name").notNull(),
  passwordHash: text("password_hash").notNull(),
  createdAt: moment("created_at").notNull(),
});

export const memberships = pgTable(
  "memberships",
  {
    teamId: text("team_id")
      .notNull()
      .references(() => teams.id, { onDelete: "cascade" }),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    role: text("role").notNull(),
    createdAt: moment("created_at").notNull(),
  },
  (table) => [primaryKey({ columns: [table.teamId, table.userId] })],
);

/** Browser sessions; the cookie holds a secret whose SHA-256 is the id, so a database leak yields no session. */
export const sessions = pgTable("sessions", {
  id: text("id").primaryKey(),
  userId: text("user_id")
    .notNull()
    .references(() => users.id, { onDelete: "cascade" }),
  /** Sent back by the client in a header on every cookie-authenticated write. */
  csrfToken: text("csrf_token").notNull(),
  createdAt: moment("created_at").notNull(),
  expiresAt: moment("expires_at").notNull(),
});

export const apiTokens = pgTable(
  "api_tokens",
  {
    id: text("id").primaryKey(),
    teamId: text("team_id")
      .notNull()
      .references(() => teams.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    role: text("role").notNull(),
    /** SHA-256 of the whole token; the token itself is shown once and never stored. */
    hash: text("hash").notNull().unique(),
    /** The first characters of the token, so people can tell their tokens apart. */
    prefix: text("prefix").notNull(),
    createdBy: text("created_by").notNull(),
    createdAt: moment("created_at").notNull(),
    expiresAt: moment("expires_at"),
    lastUsedAt: moment("last_used_at"),
    revokedAt: moment("revoked_at"),
  },
  (table) => [index("api_tokens_team").on(table.teamId)],
);

/** One-time links that let the first person set their admin password. */
export const setupLinks = pgTable("setup_links", {
  hash: text("hash").primaryKey(),
  expiresAt: moment("expires_at").notNull(),
  usedAt: moment("used_at"),
});

export const connections = pgTable(
  "connections",
  {
    id: text("id").primaryKey(),
    teamId: text("team_id")
      .notNull()
      .references(() => teams.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    platform: text("platform").notNull(),
    /** What is safe to show: a Cloudflare account id, a proxy's admin URL. */
    settings: jsonb("settings").$type<Record<string, string>>().notNull(),
    /** The credentials, sealed with AES-256-GCM; see server/secret-box. */
    sealedSecret: text("sealed_secret").notNull(),
    createdAt: moment("created_at").notNull(),
    updatedAt: moment("updated_at").notNull(),
  },
  (table) => [uniqueIndex("connections_team_name").on(table.teamId, table.name)],
);

export const plans = pgTable(
  "plans",
  {
    id: text("id").primaryKey(),
    teamId: text("team_id")
      .notNull()
      .references(() => teams.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    /** The plan as the user wrote it (durations as text); releases keep the parsed snapshot. */
    document: jsonb("document").$type<Record<string, unknown>>().notNull(),
    revision: integer("revision").notNull().default(1),
    createdAt: moment("created_at").notNull(),
    updatedAt: moment("updated_at").notNull(),
  },
  (table) => [uniqueIndex("plans_team_name").on(table.teamId, table.name)],
);

export const targets = pgTable(
  "targets",
  {
    id: text("id").primaryKey(),
    teamId: text("team_id")
      .notNull()
      .references(() => teams.id, { onDelete: "cascade" }),
    connectionId: text("connection_id")
      .notNull()
      .references(() => connections.id, { onDelete: "restrict" }),
    name: text("name").notNull(),
    /** Platform settings of this target, e.g. the Worker's name; never secrets. */
    settings: jsonb("settings").$type<Record<string, string>>().notNull(),
    defaultPlanId: text("default_plan_id").references(() => plans.id, { onDelete: "set null" }),
    createdAt: moment("created_at").notNull(),
    updatedAt: moment("updated_at").notNull(),
  },
  (table) => [uniqueIndex("targets_team_name").on(table.teamId, table.name)],
);

export const auditLog = pgTable(
  "audit_log",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    teamId: text("team_id").references(() => teams.id, { onDelete: "cascade" }),
    at: moment("at").notNull(),
    /** "user", "token" or "system". */
    actorType: text("actor_type").notNull(),
    actorId: text("actor_id"),
    /** A user's email or a token's name, kept as it was when the action happened. */
    actor: text("actor").notNull(),
    /** What was done, e.g. "release.approve", "token.revoke". */
    action: text("action").notNull(),
    objectType: text("object_type").notNull(),
    objectId: text("object_id"),
    sourceAddress: text("source_address"),
    details: jsonb("details").$type<Record<string, unknown>>().notNull(),
  },
  (table) => [index("audit_log_team").on(table.teamId, table.id)],
);

export const channels = pgTable(
  "channels",
  {
    id: text("id").primaryKey(),
    teamId: text("team_id")
      .notNull()
      .references(() => teams.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    type: text("type").notNull(),
    /** The notice kinds this channel is sent. */
    events: jsonb("events").$type<string[]>().notNull(),
    enabled: boolean("enabled").notNull().default(true),
    /** The webhook URL and signing secret, sealed like connection credentials. */
    sealedSecret: text("sealed_secret").notNull(),
    createdAt: moment("created_at").notNull(),
    updatedAt: moment("updated_at").notNull(),
  },
  (table) => [uniqueIndex("channels_team_name").on(table.teamId, table.name)],
);

/** Notifications waiting to be delivered, or delivered: the outbox. */
export const deliveries = pgTable(
  "deliveries",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    channelId: text("channel_id")
      .notNull()
      .references(() => channels.id, { onDelete: "cascade" }),
    releaseId: text("release_id").references(() => releases.id, { onDelete: "cascade" }),
    /** The release event the notice is about; unique per channel so an event is never queued twice. */
    eventId: bigint("event_id", { mode: "number" }).references(() => events.id, { onDelete: "cascade" }),
    kind: text("kind").notNull(),
    /** The notice and its subject as they were when the event happened. */
    message: jsonb("message").$type<Record<string, unknown>>().notNull(),
    /** "pending", "delivered" or "failed" (gave up, or a permanent refusal). */
    status: text("status").notNull(),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: moment("next_attempt_at"),
    lastError: text("last_error"),
    createdAt: moment("created_at").notNull(),
    deliveredAt: moment("delivered_at"),
  },
  (table) => [
    index("deliveries_due").on(table.nextAttemptAt).where(sql`${table.status} = 'pending'`),
    uniqueIndex("deliveries_channel_event").on(table.channelId, table.eventId),
    index("deliveries_channel").on(table.channelId, table.id),
  ],
);

/** How far a reader of the events table has got: the outbox turns every event up to `eventId` into deliveries. */
export const outboxCursors = pgTable("outbox_cursors", {
  name: text("name").primaryKey(),
  eventId: bigint("event_id", { mode: "number" }).notNull(),
  /** Since when the cursor has waited at a gap in event ids: an event still being written, or one rolled back. */
  heldSince: moment("held_since"),
  updatedAt: moment("updated_at").notNull(),
});

/** Responses to create requests made with an Idempotency-Key, replayed when the same request comes again. */
export const idempotencyKeys = pgTable(
  "idempotency_keys",
  {
    teamId: text("team_id")
      .notNull()
      .references(() => teams.id, { onDelete: "cascade" }),
    key: text("key").notNull(),
    /** Method, path and body digest: the same key with a different request is refused. */
    fingerprint: text("fingerprint").notNull(),
    status: integer("status").notNull(),
    body: jsonb("body").notNull(),
    createdAt: moment("created_at").notNull(),
  },
  (table) => [primaryKey({ columns: [table.teamId, table.key] })],
);
