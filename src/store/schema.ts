import { sql } from "drizzle-orm";
import {
  bigserial,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
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
    name: text("name").notNull(),
    target: jsonb("target").$type<TargetRef>().notNull(),
    stable: text("stable").notNull(),
    candidate: text("candidate").notNull(),
    plan: jsonb("plan").$type<Plan>().notNull(),
    state: text("state").notNull(),
    stageIndex: integer("stage_index").notNull(),
    stageStartedAt: moment("stage_started_at"),
    soakServedSeconds: doublePrecision("soak_served_seconds").notNull(),
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
    uniqueIndex("releases_active_name").on(table.name).where(sql`${table.finishedAt} is null`),
    index("releases_next_run_at").on(table.nextRunAt),
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
