import { and, asc, desc, eq, gt, gte, inArray, lt, lte, sql, type SQL } from "drizzle-orm";
import type { ReleaseEvent } from "../core/events.js";
import type { ReleaseState } from "../core/release.js";
import type { Database } from "./database.js";
import { eventFromRow, fromRow, type StoredRelease } from "./release-store.js";
import { events, idempotencyKeys, releases } from "./schema.js";

export interface TeamRelease extends StoredRelease {
  targetId: string | null;
  createdBy: string | null;
  ticketUrl: string | null;
}

export interface ReleaseFilter {
  teamId: string;
  targetId?: string;
  states?: ReleaseState[];
  /** Created at or after. */
  since?: Date;
  /** Created at or before. */
  until?: Date;
  /** Releases created before this one: the next page. */
  before?: { createdAt: Date; id: string };
  limit: number;
}

export interface RememberedResponse {
  fingerprint: string;
  status: number;
  body: unknown;
}

/** What the server asks of releases across a team: lists, one team's view of one release, its events, replays. */
export class TeamReleases {
  constructor(private readonly db: Database) {}

  /** The release, if it belongs to the team; another team's release is as good as absent. */
  async get(teamId: string, id: string): Promise<TeamRelease | undefined> {
    const [row] = await this.db
      .select()
      .from(releases)
      .where(and(eq(releases.teamId, teamId), eq(releases.id, id)));
    return row && { ...fromRow(row), targetId: row.targetId, createdBy: row.createdBy, ticketUrl: row.ticketUrl };
  }

  /** Newest first. */
  async list(filter: ReleaseFilter): Promise<TeamRelease[]> {
    const conditions: (SQL | undefined)[] = [
      eq(releases.teamId, filter.teamId),
      filter.targetId === undefined ? undefined : eq(releases.targetId, filter.targetId),
      filter.states === undefined ? undefined : inArray(releases.state, filter.states),
      filter.since === undefined ? undefined : gte(releases.createdAt, filter.since),
      filter.until === undefined ? undefined : lte(releases.createdAt, filter.until),
      filter.before === undefined
        ? undefined
        : sql`(${releases.createdAt}, ${releases.id}) < (${filter.before.createdAt}, ${filter.before.id})`,
    ];
    const rows = await this.db
      .select()
      .from(releases)
      .where(and(...conditions))
      .orderBy(desc(releases.createdAt), desc(releases.id))
      .limit(filter.limit);
    return rows.map((row) => ({ ...fromRow(row), targetId: row.targetId, createdBy: row.createdBy, ticketUrl: row.ticketUrl }));
  }

  /** The team's release events after `afterId`, oldest first: what a team-wide live stream sends. */
  async eventsAfter(teamId: string, afterId: number, limit: number): Promise<ReleaseEvent[]> {
    const rows = await this.db
      .select({ event: events })
      .from(events)
      .innerJoin(releases, eq(releases.id, events.releaseId))
      .where(and(eq(releases.teamId, teamId), gt(events.id, afterId)))
      .orderBy(asc(events.id))
      .limit(limit);
    return rows.map(({ event }) => eventFromRow(event));
  }

  /** The newest event id of the team, where a live stream without Last-Event-ID starts. */
  async lastEventId(teamId: string): Promise<number> {
    const [row] = await this.db
      .select({ id: sql<number>`coalesce(max(${events.id}), 0)`.mapWith(Number) })
      .from(events)
      .innerJoin(releases, eq(releases.id, events.releaseId))
      .where(eq(releases.teamId, teamId));
    return row?.id ?? 0;
  }

  async rememberedResponse(teamId: string, key: string): Promise<RememberedResponse | undefined> {
    const [row] = await this.db
      .select({ fingerprint: idempotencyKeys.fingerprint, status: idempotencyKeys.status, body: idempotencyKeys.body })
      .from(idempotencyKeys)
      .where(and(eq(idempotencyKeys.teamId, teamId), eq(idempotencyKeys.key, key)));
    return row;
  }

  /** Keeps the answer to a keyed request; false when another request with the key got there first. */
  async rememberResponse(teamId: string, key: string, response: RememberedResponse, now: Date): Promise<boolean> {
    const inserted = await this.db
      .insert(idempotencyKeys)
      .values({ teamId, key, ...response, createdAt: now })
      .onConflictDoNothing()
      .returning({ key: idempotencyKeys.key });
    return inserted.length > 0;
  }

  /** Forgets keys older than `before`; a retry comes within minutes, not days. */
  async forgetResponses(before: Date): Promise<void> {
    await this.db.delete(idempotencyKeys).where(lt(idempotencyKeys.createdAt, before));
  }
}
