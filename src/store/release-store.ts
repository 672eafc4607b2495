import { and, asc, desc, eq, gt, inArray, isNotNull, isNull, lte, or, sql } from "drizzle-orm";
import type { Check } from "../core/check.js";
import type { ReleaseEvent, ReleaseEventDraft, ReleaseEventType } from "../core/events.js";
import type { Release, ReleaseState } from "../core/release.js";
import type { Database } from "./database.js";
import { checks, events, releases } from "./schema.js";
import { isUniqueViolation } from "./unique-violation.js";

type ReleaseRow = typeof releases.$inferSelect;
type EventRow = typeof events.$inferSelect;

/** A release as stored: the domain value plus the revision that guards concurrent writes. */
export interface StoredRelease {
  release: Release;
  revision: number;
}

export interface ClaimRequest {
  /** Who claims, unique per replica (e.g. host and pid). */
  owner: string;
  now: number;
  /** How long the lease lasts; renew it before then to keep driving the release. */
  leaseMs: number;
  limit: number;
}

/** Who a release made through the server belongs to; `glidepath rollout` releases have none. */
export interface ReleaseOwnership {
  teamId?: string;
  targetId?: string;
  createdBy?: string;
  ticketUrl?: string;
}

/** Only one release at a time per target, and per name. */
export class ActiveReleaseExists extends Error {
  override name = "ActiveReleaseExists";
}

export class RevisionConflict extends Error {
  override name = "RevisionConflict";
}

/**
 * A write made under a lease (see claimDue) that the lease no longer covers: it expired or
 * another replica holds it now. Nothing was written; the driver must stop acting on the release.
 */
export class LeaseLost extends Error {
  override name = "LeaseLost";
}

/** A lease a write must still hold: its owner, at the writer's time `now`. */
export interface Fence {
  owner: string;
  now: number;
}

/** Releases, their checks and their append-only events. The only place that writes them. */
export class ReleaseStore {
  constructor(private readonly db: Database) {}

  /** Stores a new release; a release already in progress by its name or on its target is an ActiveReleaseExists. */
  async insert(release: Release, initialEvents: ReleaseEventDraft[] = [], ownership: ReleaseOwnership = {}): Promise<StoredRelease> {
    try {
      await this.db.transaction(async (tx) => {
        await tx.insert(releases).values({ ...toRow(release), ...ownership });
        await insertEvents(tx, release.id, initialEvents);
      });
    } catch (error) {
      if (isUniqueViolation(error, "releases_active_target")) {
        throw new ActiveReleaseExists("this target already has a release in progress; finish or cancel it first");
      }
      if (isUniqueViolation(error, "releases_active_name")) {
        throw new ActiveReleaseExists(`a release named "${release.name}" is in progress; choose another name`);
      }
      throw error;
    }
    return { release, revision: 0 };
  }

  async get(id: string): Promise<StoredRelease | undefined> {
    const [row] = await this.db.select().from(releases).where(eq(releases.id, id));
    return row && fromRow(row);
  }

  /** The newest release with this name, finished or not. */
  async findLatest(name: string): Promise<StoredRelease | undefined> {
    const [row] = await this.db.select().from(releases).where(eq(releases.name, name)).orderBy(desc(releases.createdAt)).limit(1);
    return row && fromRow(row);
  }

  /**
   * The release with this name that the engine has not finished with, if any: one in flight, or
   * one that has ended whose final split is not yet confirmed.
   */
  async findUnfinished(name: string): Promise<StoredRelease | undefined> {
    const [row] = await this.db
      .select()
      .from(releases)
      .where(and(eq(releases.name, name), or(isNull(releases.finishedAt), isNotNull(releases.nextRunAt))))
      .orderBy(desc(releases.createdAt))
      .limit(1);
    return row && fromRow(row);
  }

  /**
   * Writes the release and the events that explain the change in one transaction, if nobody
   * else wrote it since `revision`; otherwise throws RevisionConflict and writes nothing.
   */
  async save(stored: StoredRelease, next: Release, newEvents: ReleaseEventDraft[], fence?: Fence): Promise<StoredRelease> {
    const revision = stored.revision + 1;
    await this.db.transaction(async (tx) => {
      const updated = await tx
        .update(releases)
        .set({ ...toRow(next), revision })
        .where(and(eq(releases.id, next.id), eq(releases.revision, stored.revision), fence && heldBy(fence)))
        .returning({ id: releases.id });
      if (updated.length === 0) {
        if (fence && !(await this.holdsLease(next.id, fence, tx))) throw new LeaseLost(`release ${next.id} is no longer leased to ${fence.owner}`);
        throw new RevisionConflict(`release ${next.id} was changed by someone else; try again`);
      }
      await insertEvents(tx, next.id, newEvents);
    });
    return { release: next, revision };
  }

  /** Whether the fence's owner still holds the release's lease at its time. */
  async holdsLease(id: string, fence: Fence, db: Pick<Database, "select"> = this.db): Promise<boolean> {
    const held = await db.select({ id: releases.id }).from(releases).where(and(eq(releases.id, id), heldBy(fence)));
    return held.length > 0;
  }

  /**
   * Leases up to `limit` releases whose next run is due and whose lease is free or expired,
   * oldest wake-up first, so that this owner alone drives them until the lease ends. A release
   * that has ended is due too until its final split is confirmed. A lease is not a write of the
   * release: `revision` stays, so `save` works on what this returns.
   */
  async claimDue({ owner, now, leaseMs, limit }: ClaimRequest): Promise<StoredRelease[]> {
    const at = new Date(now);
    return this.db.transaction(async (tx) => {
      // SKIP LOCKED: replicas claiming at the same moment pass over the rows another one is
      // claiming instead of queueing behind its lock, so each gets different releases at once.
      // A row whose claim commits meanwhile is re-checked against the lease condition and dropped.
      const due = await tx
        .select({ id: releases.id })
        .from(releases)
        .where(
          and(lte(releases.nextRunAt, at), or(isNull(releases.leaseExpiresAt), lte(releases.leaseExpiresAt, at))),
        )
        .orderBy(asc(releases.nextRunAt))
        .limit(limit)
        .for("update", { skipLocked: true });
      if (due.length === 0) return [];
      const claimed = await tx
        .update(releases)
        .set({ leaseOwner: owner, leaseExpiresAt: new Date(now + leaseMs) })
        .where(inArray(releases.id, due.map(({ id }) => id)))
        .returning();
      return claimed.map(fromRow).sort((a, b) => (a.release.nextRunAt ?? 0) - (b.release.nextRunAt ?? 0));
    });
  }

  /**
   * When claimDue will next find something: the earliest wake-up of any release, or the end of
   * the lease on it if that is later. Null when no release needs the engine.
   */
  async nextClaimableAt(): Promise<number | null> {
    const [row] = await this.db
      .select({ at: sql`min(greatest(${releases.nextRunAt}, ${releases.leaseExpiresAt}))`.mapWith(releases.nextRunAt) })
      .from(releases)
      .where(isNotNull(releases.nextRunAt));
    return toMs(row?.at ?? null);
  }

  /**
   * Extends this owner's lease to `now + leaseMs`. False when the lease is no longer ours (it
   * expired, or another owner has it): stop driving the release and leave it to claimDue.
   */
  async renewLease(id: string, owner: string, now: number, leaseMs: number): Promise<boolean> {
    const renewed = await this.db
      .update(releases)
      .set({ leaseExpiresAt: new Date(now + leaseMs) })
      .where(and(eq(releases.id, id), heldBy({ owner, now })))
      .returning({ id: releases.id });
    return renewed.length > 0;
  }

  /** Gives up this owner's lease, so any replica can claim the release when it is next due. */
  async releaseLease(id: string, owner: string): Promise<void> {
    await this.db
      .update(releases)
      .set({ leaseOwner: null, leaseExpiresAt: null })
      .where(and(eq(releases.id, id), eq(releases.leaseOwner, owner)));
  }

  /** How many releases are in each state, for /metrics. */
  async countByState(): Promise<Record<string, number>> {
    const rows = await this.db
      .select({ state: releases.state, count: sql<number>`count(*)::int` })
      .from(releases)
      .groupBy(releases.state);
    return Object.fromEntries(rows.map(({ state, count }) => [state, count]));
  }

  async events(releaseId: string, afterId = 0): Promise<ReleaseEvent[]> {
    const rows = await this.db
      .select()
      .from(events)
      .where(and(eq(events.releaseId, releaseId), gt(events.id, afterId)))
      .orderBy(asc(events.id));
    return rows.map(eventFromRow);
  }

  async checks(releaseId: string): Promise<Check[]> {
    const rows = await this.db.select().from(checks).where(eq(checks.releaseId, releaseId)).orderBy(asc(checks.id));
    return rows.map((row) => ({
      at: row.at.getTime(),
      stageIndex: row.stageIndex,
      window: { from: row.windowFrom.getTime(), to: row.windowTo.getTime() },
      verdict: row.verdict as Check["verdict"],
      note: row.note,
      samples: row.samples,
      results: row.results,
    }));
  }
}

type Transaction = Parameters<Parameters<Database["transaction"]>[0]>[0];

async function insertEvents(tx: Transaction, releaseId: string, drafts: ReleaseEventDraft[]) {
  if (drafts.length === 0) return;
  await tx.insert(events).values(
    drafts.map(({ type, at, actor, ...data }) => ({ releaseId, type, at: new Date(at), actor, data })),
  );
  const completedChecks = drafts.flatMap((draft) => (draft.type === "check_completed" ? [draft.check] : []));
  if (completedChecks.length > 0) {
    await tx.insert(checks).values(
      completedChecks.map((check) => ({
        releaseId,
        stageIndex: check.stageIndex,
        at: new Date(check.at),
        windowFrom: new Date(check.window.from),
        windowTo: new Date(check.window.to),
        verdict: check.verdict,
        note: check.note,
        samples: check.samples,
        results: check.results,
      })),
    );
  }
}

function heldBy({ owner, now }: Fence) {
  return and(eq(releases.leaseOwner, owner), gt(releases.leaseExpiresAt, new Date(now)));
}

const toDate = (ms: number | null) => (ms === null ? null : new Date(ms));
const toMs = (date: Date | null) => (date === null ? null : date.getTime());

function toRow(release: Release) {
  return {
    ...release,
    stageStartedAt: toDate(release.stageStartedAt),
    lastCheckAt: toDate(release.lastCheckAt),
    nextRunAt: toDate(release.nextRunAt),
    createdAt: new Date(release.createdAt),
    updatedAt: new Date(release.updatedAt),
    finishedAt: toDate(release.finishedAt),
  };
}

// The lease and the ownership belong to the store, not the release: kept out of it, save never
// writes them back.
export function fromRow({
  revision,
  leaseOwner: _leaseOwner,
  leaseExpiresAt: _leaseExpiresAt,
  teamId: _teamId,
  targetId: _targetId,
  createdBy: _createdBy,
  ticketUrl: _ticketUrl,
  ...row
}: ReleaseRow): StoredRelease {
  return {
    revision,
    release: {
      ...row,
      state: row.state as ReleaseState,
      lastVerdict: row.lastVerdict as Release["lastVerdict"],
      pausedFrom: row.pausedFrom as Release["pausedFrom"],
      stageStartedAt: toMs(row.stageStartedAt),
      lastCheckAt: toMs(row.lastCheckAt),
      nextRunAt: toMs(row.nextRunAt),
      createdAt: row.createdAt.getTime(),
      updatedAt: row.updatedAt.getTime(),
      finishedAt: toMs(row.finishedAt),
    },
  };
}

export function eventFromRow(row: EventRow): ReleaseEvent {
  return {
    ...row.data,
    id: row.id,
    releaseId: row.releaseId,
    type: row.type as ReleaseEventType,
    at: row.at.getTime(),
    actor: row.actor,
  } as ReleaseEvent;
}
