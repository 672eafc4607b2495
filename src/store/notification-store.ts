import { and, asc, desc, eq, gt, inArray, isNotNull, lt, lte, notInArray, sql, type SQL } from "drizzle-orm";
import type { ReleaseEvent } from "../core/events.js";
import type { Release } from "../core/release.js";
import type { Database } from "./database.js";
import { eventFromRow, fromRow } from "./release-store.js";
import { channels, deliveries, events, outboxCursors, releases } from "./schema.js";
import { isUniqueViolation } from "./unique-violation.js";

export type ChannelRecord = typeof channels.$inferSelect;
export type ChannelChanges = Partial<Pick<ChannelRecord, "name" | "type" | "events" | "enabled" | "sealedSecret">> & { updatedAt: Date };
export type DeliveryRecord = typeof deliveries.$inferSelect;
export type DeliveryStatus = "pending" | "delivered" | "failed";

/** The cursor of the outbox that turns release events into deliveries. */
const EVENTS_CURSOR = "notification_events";

/** A release event as the feed reads it: the event, the release as it is now, and the team it belongs to. */
export interface FeedEvent {
  event: ReleaseEvent;
  release: Release;
  teamId: string;
}

/** A row of the outbox to write; the same (channel, event) is written once, however often it is asked for. */
export interface NewDelivery {
  channelId: string;
  eventId: number;
  releaseId: string;
  kind: string;
  message: Record<string, unknown>;
}

export interface FeedRequest {
  now: number;
  /** Events read per call. */
  limit: number;
  /**
   * How long the cursor waits at a gap in event ids before passing it. A gap is an event whose
   * transaction has not committed yet (a later id can commit first) or one that rolled back.
   */
  gapGraceMs: number;
  /** What to enqueue for the events read: called once, inside the feeding transaction. */
  plan(events: FeedEvent[], channelsOf: (teamId: string) => ChannelRecord[]): NewDelivery[];
}

export type FeedResult =
  /** Another replica is feeding right now; its deliveries are as good as ours. */
  | { busy: true }
  | {
      busy: false;
      read: number;
      enqueued: number;
      /** Every event up to here has been fed. */
      cursor: number;
      /** The batch was full and the cursor moved: call again for the rest. */
      more: boolean;
    };

export interface DeliveryClaim {
  now: number;
  /** How long the claimer has to finish; after that the delivery is due again for anyone. */
  leaseMs: number;
  limit: number;
  /** Channels the claimer is already sending to; their next deliveries wait, so each channel gets its notices in order. */
  busyChannels?: string[];
}

export interface ClaimedDelivery {
  delivery: DeliveryRecord;
  channel: ChannelRecord;
  /** Proves the claim is still ours when it is finished. */
  leaseUntil: Date;
}

export type DeliveryOutcome =
  | { status: "delivered"; at: Date }
  | { status: "pending"; nextAttemptAt: Date; error: string }
  /** `attempted`: false when no request was made (the channel was disabled, its secret unreadable). */
  | { status: "failed"; error: string; attempted: boolean };

/** Notification channels and the outbox of deliveries to them. The only place that writes them. */
export class NotificationStore {
  constructor(private readonly db: Database) {}

  async createChannel(channel: ChannelRecord): Promise<ChannelRecord | "name_taken"> {
    const [row] = await this.db.insert(channels).values(channel).onConflictDoNothing().returning();
    return row ?? "name_taken";
  }

  async channels(teamId: string): Promise<ChannelRecord[]> {
    return this.db.select().from(channels).where(eq(channels.teamId, teamId)).orderBy(asc(channels.name));
  }

  async channel(teamId: string, id: string): Promise<ChannelRecord | undefined> {
    const [row] = await this.db
      .select()
      .from(channels)
      .where(and(eq(channels.teamId, teamId), eq(channels.id, id)));
    return row;
  }

  async updateChannel(teamId: string, id: string, changes: ChannelChanges): Promise<ChannelRecord | undefined | "name_taken"> {
    try {
      const [row] = await this.db
        .update(channels)
        .set(changes)
        .where(and(eq(channels.teamId, teamId), eq(channels.id, id)))
        .returning();
      return row;
    } catch (error) {
      if (isUniqueViolation(error)) return "name_taken";
      throw error;
    }
  }

  /** Deletes the channel and, with it, its deliveries. */
  async deleteChannel(teamId: string, id: string): Promise<ChannelRecord | undefined> {
    const [row] = await this.db
      .delete(channels)
      .where(and(eq(channels.teamId, teamId), eq(channels.id, id)))
      .returning();
    return row;
  }

  /** A channel's deliveries, newest first; `before` pages on from a delivery id. */
  async deliveries(channelId: string, { limit, before }: { limit: number; before?: number }): Promise<DeliveryRecord[]> {
    const conditions: SQL[] = [eq(deliveries.channelId, channelId)];
    if (before !== undefined) conditions.push(lt(deliveries.id, before));
    return this.db
      .select()
      .from(deliveries)
      .where(and(...conditions))
      .orderBy(desc(deliveries.id))
      .limit(limit);
  }

  /**
   * Reads the events after the outbox's cursor and writes the deliveries `plan` asks for, then
   * moves the cursor, all in one transaction: a crash loses nothing and a retry writes nothing
   * twice. The cursor row is locked while feeding, so replicas take turns instead of racing; the
   * unique (channel, event) index keeps any repeat out all the same.
   */
  async feed({ now, limit, gapGraceMs, plan }: FeedRequest): Promise<FeedResult> {
    await this.db
      .insert(outboxCursors)
      .values({ name: EVENTS_CURSOR, eventId: 0, heldSince: null, updatedAt: new Date(now) })
      .onConflictDoNothing();
    return this.db.transaction(async (tx): Promise<FeedResult> => {
      const [cursor] = await tx
        .select()
        .from(outboxCursors)
        .where(eq(outboxCursors.name, EVENTS_CURSOR))
        .for("update", { skipLocked: true });
      if (!cursor) return { busy: true };

      const rows = await tx.select().from(events).where(gt(events.id, cursor.eventId)).orderBy(asc(events.id)).limit(limit);
      const releaseIds = [...new Set(rows.map((row) => row.releaseId))];
      const releaseRows = releaseIds.length === 0 ? [] : await tx.select().from(releases).where(inArray(releases.id, releaseIds));
      const owned = new Map(
        releaseRows.flatMap((row) => (row.teamId === null ? [] : [[row.id, { release: fromRow(row).release, teamId: row.teamId }] as const])),
      );
      const teamIds = [...new Set([...owned.values()].map(({ teamId }) => teamId))];
      const teamChannels =
        teamIds.length === 0
          ? []
          : await tx
              .select()
              .from(channels)
              .where(and(inArray(channels.teamId, teamIds), eq(channels.enabled, true)))
              .orderBy(asc(channels.id));

      const fed = rows.flatMap((row) => {
        const subject = owned.get(row.releaseId);
        return subject ? [{ event: eventFromRow(row), ...subject }] : [];
      });
      const wanted = fed.length === 0 ? [] : plan(fed, (teamId) => teamChannels.filter((channel) => channel.teamId === teamId));
      const inserted =
        wanted.length === 0
          ? []
          : await tx
              .insert(deliveries)
              .values(
                wanted.map((delivery) => ({
                  ...delivery,
                  status: "pending",
                  attempts: 0,
                  nextAttemptAt: new Date(now),
                  createdAt: new Date(now),
                })),
              )
              .onConflictDoNothing({ target: [deliveries.channelId, deliveries.eventId] })
              .returning({ id: deliveries.id });

      const { eventId, heldSince } = advance(cursor.eventId, cursor.heldSince?.getTime() ?? null, rows.map((row) => row.id), now, gapGraceMs);
      await tx
        .update(outboxCursors)
        .set({ eventId, heldSince: heldSince === null ? null : new Date(heldSince), updatedAt: new Date(now) })
        .where(eq(outboxCursors.name, EVENTS_CURSOR));
      return { busy: false, read: rows.length, enqueued: inserted.length, cursor: eventId, more: rows.length === limit && eventId > cursor.eventId };
    });
  }

  /**
   * Claims up to `limit` pending deliveries that are due, oldest first and at most one per
   * channel, by moving their next attempt to the end of a lease. SKIP LOCKED lets replicas claim
   * at once without waiting on each other or taking the same delivery. A claimer that dies
   * leaves its deliveries due again when the lease ends.
   */
  async claimDue({ now, leaseMs, limit, busyChannels = [] }: DeliveryClaim): Promise<ClaimedDelivery[]> {
    if (limit <= 0) return [];
    const at = new Date(now);
    const leaseUntil = new Date(now + leaseMs);
    return this.db.transaction(async (tx) => {
      const conditions: SQL[] = [eq(deliveries.status, "pending"), lte(deliveries.nextAttemptAt, at)];
      if (busyChannels.length > 0) conditions.push(notInArray(deliveries.channelId, busyChannels));
      const due = await tx
        .select({ id: deliveries.id, channelId: deliveries.channelId })
        .from(deliveries)
        .where(and(...conditions))
        .orderBy(asc(deliveries.id))
        .limit(limit * 4)
        .for("update", { skipLocked: true });
      const picked = new Map<string, number>();
      for (const { id, channelId } of due) {
        if (picked.size === limit) break;
        if (!picked.has(channelId)) picked.set(channelId, id);
      }
      if (picked.size === 0) return [];
      const claimed = await tx
        .update(deliveries)
        .set({ nextAttemptAt: leaseUntil })
        .where(inArray(deliveries.id, [...picked.values()]))
        .returning();
      const owners = await tx.select().from(channels).where(inArray(channels.id, [...picked.keys()]));
      const channelById = new Map(owners.map((channel) => [channel.id, channel]));
      return claimed
        .sort((a, b) => a.id - b.id)
        .map((delivery) => ({ delivery, channel: channelById.get(delivery.channelId)!, leaseUntil }));
    });
  }

  /**
   * Records how a claimed delivery went. False, and nothing written, when the claim is no longer
   * ours: the lease ran out and another claimer has it, or the channel was deleted.
   */
  async finish({ delivery, leaseUntil }: Pick<ClaimedDelivery, "delivery" | "leaseUntil">, outcome: DeliveryOutcome): Promise<boolean> {
    const attempted = outcome.status !== "failed" || outcome.attempted;
    const changes =
      outcome.status === "delivered"
        ? { status: "delivered", deliveredAt: outcome.at, nextAttemptAt: null, lastError: null }
        : outcome.status === "pending"
          ? { status: "pending", nextAttemptAt: outcome.nextAttemptAt, lastError: outcome.error }
          : { status: "failed", nextAttemptAt: null, lastError: outcome.error };
    const updated = await this.db
      .update(deliveries)
      .set({ ...changes, ...(attempted && { attempts: sql`${deliveries.attempts} + 1` }) })
      .where(and(eq(deliveries.id, delivery.id), eq(deliveries.status, "pending"), eq(deliveries.nextAttemptAt, leaseUntil)))
      .returning({ id: deliveries.id });
    return updated.length > 0;
  }

  /** When the earliest pending delivery is due (or its lease ends); null when none is pending. */
  async nextDueAt(): Promise<number | null> {
    const [row] = await this.db
      .select({ at: sql`min(${deliveries.nextAttemptAt})`.mapWith(deliveries.nextAttemptAt) })
      .from(deliveries)
      .where(and(eq(deliveries.status, "pending"), isNotNull(deliveries.nextAttemptAt)));
    return row?.at ? row.at.getTime() : null;
  }
}

/**
 * Where the cursor can move after reading `ids` (ascending, all after `cursor`): along the ids
 * that follow on without a gap. At a gap it waits, from `heldSince`, until the missing event
 * appears or `graceMs` has passed; events after a gap are fed meanwhile, which is harmless since
 * feeding them again writes nothing.
 */
export function advance(
  cursor: number,
  heldSince: number | null,
  ids: number[],
  now: number,
  graceMs: number,
): { eventId: number; heldSince: number | null } {
  let eventId = cursor;
  let since = heldSince;
  for (const id of ids) {
    if (id !== eventId + 1) {
      if (since === null) return { eventId, heldSince: now };
      if (now - since < graceMs) return { eventId, heldSince: since };
    }
    eventId = id;
    since = null;
  }
  return { eventId, heldSince: since };
}
