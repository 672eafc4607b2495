import { and, asc, count, eq, sql, type SQL } from "drizzle-orm";
import type { Database } from "./database.js";
import { nameTakenAsValue } from "./unique-violation.js";
import { connections, plans, releases, targets } from "./schema.js";

export type Connection = typeof connections.$inferSelect;
export type Target = typeof targets.$inferSelect;
export type StoredPlan = typeof plans.$inferSelect;

/** A target with the names of what it refers to, as the API shows it. */
export interface TargetWithNames extends Target {
  connectionName: string;
  platform: string;
  defaultPlanName: string | null;
}

export type ConnectionChanges = Partial<Pick<Connection, "name" | "settings" | "sealedSecret">> & { updatedAt: Date };
export type TargetChanges = Partial<Pick<Target, "name" | "connectionId" | "settings" | "defaultPlanId">> & { updatedAt: Date };

/** Why a connection cannot be deleted: the targets that still use it. */
export interface ConnectionInUse {
  usedBy: string[];
}

/** Why a target cannot be deleted: the releases that ran on it are kept, and they refer to it. */
export interface TargetInUse {
  releases: number;
}

const targetWithNames = {
  target: targets,
  connectionName: connections.name,
  platform: connections.platform,
  defaultPlanName: plans.name,
};

/**
 * A team's platform connections, targets and plans. Every query names the team, so another
 * team's object is never found; a name already taken in the team is a value, not an exception.
 */
export class ConfigStore {
  constructor(private readonly db: Database) {}

  async connections(teamId: string): Promise<Connection[]> {
    return this.db.select().from(connections).where(eq(connections.teamId, teamId)).orderBy(asc(connections.name));
  }

  async connection(teamId: string, name: string): Promise<Connection | undefined> {
    const [row] = await this.db
      .select()
      .from(connections)
      .where(and(eq(connections.teamId, teamId), eq(connections.name, name)));
    return row;
  }

  /**
   * The connection with this id, whichever team owns it. Only for the engine, which knows the id
   * from a release the server made for that team; routes use the team's names.
   */
  async connectionById(id: string): Promise<Connection | undefined> {
    const [row] = await this.db.select().from(connections).where(eq(connections.id, id));
    return row;
  }

  async createConnection(connection: Connection): Promise<Connection | "name_taken"> {
    const [row] = await this.db.insert(connections).values(connection).onConflictDoNothing().returning();
    return row ?? "name_taken";
  }

  async updateConnection(teamId: string, id: string, changes: ConnectionChanges): Promise<Connection | "name_taken" | undefined> {
    return nameTakenAsValue(async () => {
      const [row] = await this.db
        .update(connections)
        .set(changes)
        .where(and(eq(connections.teamId, teamId), eq(connections.id, id)))
        .returning();
      return row;
    });
  }

  /** Deletes the connection unless targets use it; undefined when there is no such connection. */
  async deleteConnection(teamId: string, id: string): Promise<Connection | ConnectionInUse | undefined> {
    return this.db.transaction(async (tx) => {
      const users = await tx
        .select({ name: targets.name })
        .from(targets)
        .where(and(eq(targets.teamId, teamId), eq(targets.connectionId, id)))
        .orderBy(asc(targets.name));
      if (users.length > 0) return { usedBy: users.map(({ name }) => name) };
      const [row] = await tx
        .delete(connections)
        .where(and(eq(connections.teamId, teamId), eq(connections.id, id)))
        .returning();
      return row;
    });
  }

  async targets(teamId: string): Promise<TargetWithNames[]> {
    const rows = await this.targetQuery(teamId).orderBy(asc(targets.name));
    return rows.map(withNames);
  }

  async target(teamId: string, name: string): Promise<TargetWithNames | undefined> {
    const [row] = await this.targetQuery(teamId, eq(targets.name, name));
    return row && withNames(row);
  }

  async createTarget(target: Target): Promise<Target | "name_taken"> {
    const [row] = await this.db.insert(targets).values(target).onConflictDoNothing().returning();
    return row ?? "name_taken";
  }

  async updateTarget(teamId: string, id: string, changes: TargetChanges): Promise<Target | "name_taken" | undefined> {
    return nameTakenAsValue(async () => {
      const [row] = await this.db
        .update(targets)
        .set(changes)
        .where(and(eq(targets.teamId, teamId), eq(targets.id, id)))
        .returning();
      return row;
    });
  }

  /** Deletes the target unless releases refer to it; undefined when there is no such target. */
  async deleteTarget(teamId: string, id: string): Promise<Target | TargetInUse | undefined> {
    return this.db.transaction(async (tx) => {
      const [used] = await tx
        .select({ releases: count() })
        .from(releases)
        .where(and(eq(releases.teamId, teamId), eq(releases.targetId, id)));
      if (used && used.releases > 0) return { releases: used.releases };
      const [row] = await tx
        .delete(targets)
        .where(and(eq(targets.teamId, teamId), eq(targets.id, id)))
        .returning();
      return row;
    });
  }

  async plans(teamId: string): Promise<StoredPlan[]> {
    return this.db.select().from(plans).where(eq(plans.teamId, teamId)).orderBy(asc(plans.name));
  }

  async plan(teamId: string, name: string): Promise<StoredPlan | undefined> {
    const [row] = await this.db
      .select()
      .from(plans)
      .where(and(eq(plans.teamId, teamId), eq(plans.name, name)));
    return row;
  }

  async createPlan(plan: StoredPlan): Promise<StoredPlan | "name_taken"> {
    const [row] = await this.db.insert(plans).values(plan).onConflictDoNothing().returning();
    return row ?? "name_taken";
  }

  /** Replaces the plan's document and bumps its revision; undefined when there is no such plan. */
  async updatePlan(teamId: string, name: string, document: Record<string, unknown>, now: Date): Promise<StoredPlan | undefined> {
    const [row] = await this.db
      .update(plans)
      .set({ document, revision: sqlIncrement(plans.revision), updatedAt: now })
      .where(and(eq(plans.teamId, teamId), eq(plans.name, name)))
      .returning();
    return row;
  }

  async deletePlan(teamId: string, name: string): Promise<StoredPlan | undefined> {
    const [row] = await this.db
      .delete(plans)
      .where(and(eq(plans.teamId, teamId), eq(plans.name, name)))
      .returning();
    return row;
  }

  private targetQuery(teamId: string, condition?: SQL) {
    return this.db
      .select(targetWithNames)
      .from(targets)
      .innerJoin(connections, eq(connections.id, targets.connectionId))
      .leftJoin(plans, eq(plans.id, targets.defaultPlanId))
      .where(and(eq(targets.teamId, teamId), condition))
      .$dynamic();
  }
}

function sqlIncrement(column: typeof plans.revision): SQL {
  return sql`${column} + 1`;
}


function withNames(row: { target: Target; connectionName: string; platform: string; defaultPlanName: string | null }): TargetWithNames {
  return { ...row.target, connectionName: row.connectionName, platform: row.platform, defaultPlanName: row.defaultPlanName };
}
