import { and, desc, eq, gte, lt, lte, type SQL } from "drizzle-orm";
import type { Database } from "./database.js";
import { auditLog } from "./schema.js";

export type AuditEntry = typeof auditLog.$inferSelect;
export type NewAuditEntry = Omit<AuditEntry, "id">;

export interface AuditFilter {
  teamId: string;
  action?: string;
  actor?: string;
  objectType?: string;
  objectId?: string;
  since?: Date;
  until?: Date;
  /** Entries older than this id: the next page after a page that ended there. */
  before?: number;
  limit: number;
}

/** The audit log: written once per change, never updated or deleted (a trigger refuses both). */
export class AuditStore {
  constructor(private readonly db: Database) {}

  async append(entry: NewAuditEntry): Promise<void> {
    await this.db.insert(auditLog).values(entry);
  }

  async list(filter: AuditFilter): Promise<AuditEntry[]> {
    const conditions: (SQL | undefined)[] = [
      eq(auditLog.teamId, filter.teamId),
      filter.action === undefined ? undefined : eq(auditLog.action, filter.action),
      filter.actor === undefined ? undefined : eq(auditLog.actor, filter.actor),
      filter.objectType === undefined ? undefined : eq(auditLog.objectType, filter.objectType),
      filter.objectId === undefined ? undefined : eq(auditLog.objectId, filter.objectId),
      filter.since === undefined ? undefined : gte(auditLog.at, filter.since),
      filter.until === undefined ? undefined : lte(auditLog.at, filter.until),
      filter.before === undefined ? undefined : lt(auditLog.id, filter.before),
    ];
    return this.db
      .select()
      .from(auditLog)
      .where(and(...conditions))
      .orderBy(desc(auditLog.id))
      .limit(filter.limit);
  }
}
