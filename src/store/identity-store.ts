import { and, asc, eq, gt, isNull, lt, ne, sql } from "drizzle-orm";
import type { Role } from "../server/auth/roles.js";
import type { Database } from "./database.js";
import { apiTokens, memberships, sessions, setupLinks, teams, users } from "./schema.js";

export type Team = typeof teams.$inferSelect;
export type User = Omit<typeof users.$inferSelect, "passwordHash">;
export type ApiToken = Omit<typeof apiTokens.$inferSelect, "hash" | "role"> & { role: Role };
export type Session = typeof sessions.$inferSelect;
export interface Member extends User {
  role: Role;
}

const publicUser = { id: users.id, email: users.email, name: users.name, createdAt: users.createdAt };
const tokenColumns = {
  id: apiTokens.id,
  teamId: apiTokens.teamId,
  name: apiTokens.name,
  role: apiTokens.role,
  prefix: apiTokens.prefix,
  createdBy: apiTokens.createdBy,
  createdAt: apiTokens.createdAt,
  expiresAt: apiTokens.expiresAt,
  lastUsedAt: apiTokens.lastUsedAt,
  revokedAt: apiTokens.revokedAt,
};

/** Teams, people, their roles, sessions and API tokens. */
export class IdentityStore {
  constructor(private readonly db: Database) {}

  async hasAnyUser(): Promise<boolean> {
    const [row] = await this.db.select({ id: users.id }).from(users).limit(1);
    return row !== undefined;
  }

  async hasAnyTeam(): Promise<boolean> {
    const [row] = await this.db.select({ id: teams.id }).from(teams).limit(1);
    return row !== undefined;
  }

  async createTeam(team: Team): Promise<Team | "slug_taken"> {
    const [row] = await this.db.insert(teams).values(team).onConflictDoNothing().returning();
    return row ?? "slug_taken";
  }

  /** A new team with its creator as the first admin; "slug_taken" when another team has the slug. */
  async createTeamWithAdmin(team: Team, userId: string): Promise<Team | "slug_taken"> {
    return this.db.transaction(async (tx) => {
      const [row] = await tx.insert(teams).values(team).onConflictDoNothing().returning();
      if (!row) return "slug_taken";
      await tx.insert(memberships).values({ teamId: row.id, userId, role: "admin", createdAt: team.createdAt });
      return row;
    });
  }

  async renameTeam(id: string, name: string): Promise<Team | undefined> {
    const [row] = await this.db.update(teams).set({ name }).where(eq(teams.id, id)).returning();
    return row;
  }

  async teamBySlug(slug: string): Promise<Team | undefined> {
    const [row] = await this.db.select().from(teams).where(eq(teams.slug, slug));
    return row;
  }

  async teamById(id: string): Promise<Team | undefined> {
    const [row] = await this.db.select().from(teams).where(eq(teams.id, id));
    return row;
  }

  /** The teams a user belongs to, with the user's role in each. */
  async teamsOf(userId: string): Promise<(Team & { role: Role })[]> {
    const rows = await this.db
      .select({ team: teams, role: memberships.role })
      .from(memberships)
      .innerJoin(teams, eq(teams.id, memberships.teamId))
      .where(eq(memberships.userId, userId))
      .orderBy(asc(teams.slug));
    return rows.map(({ team, role }) => ({ ...team, role: role as Role }));
  }

  async createUser(user: User & { passwordHash: string }): Promise<User | "email_taken"> {
    const [row] = await this.db
      .insert(users)
      .values({ ...user, email: user.email.toLowerCase() })
      .onConflictDoNothing()
      .returning(publicUser);
    return row ?? "email_taken";
  }

  async userWithPasswordByEmail(email: string): Promise<(User & { passwordHash: string }) | undefined> {
    const [row] = await this.db.select().from(users).where(eq(users.email, email.toLowerCase()));
    return row;
  }

  async userByEmail(email: string): Promise<User | undefined> {
    const [row] = await this.db.select(publicUser).from(users).where(eq(users.email, email.toLowerCase()));
    return row;
  }

  async setPassword(userId: string, passwordHash: string): Promise<void> {
    await this.db.update(users).set({ passwordHash }).where(eq(users.id, userId));
  }

  async roleOf(teamId: string, userId: string): Promise<Role | undefined> {
    const [row] = await this.db
      .select({ role: memberships.role })
      .from(memberships)
      .where(and(eq(memberships.teamId, teamId), eq(memberships.userId, userId)));
    return row?.role as Role | undefined;
  }

  async members(teamId: string): Promise<Member[]> {
    const rows = await this.db
      .select({ ...publicUser, role: memberships.role })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(eq(memberships.teamId, teamId))
      .orderBy(asc(users.email));
    return rows.map((row) => ({ ...row, role: row.role as Role }));
  }

  async member(teamId: string, userId: string): Promise<Member | undefined> {
    const [row] = await this.db
      .select({ ...publicUser, role: memberships.role })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(and(eq(memberships.teamId, teamId), eq(memberships.userId, userId)));
    return row && { ...row, role: row.role as Role };
  }

  /**
   * Gives a member another role (`null`: removes them), unless that would leave the team without
   * an admin. The team's row is locked meanwhile, so two admins demoting each other cannot both win.
   * Answers the member as they were.
   */
  async changeMember(teamId: string, userId: string, role: Role | null): Promise<Member | "not_member" | "last_admin"> {
    return this.db.transaction(async (tx) => {
      await tx.select({ id: teams.id }).from(teams).where(eq(teams.id, teamId)).for("update");
      const [before] = await tx
        .select({ ...publicUser, role: memberships.role })
        .from(memberships)
        .innerJoin(users, eq(users.id, memberships.userId))
        .where(and(eq(memberships.teamId, teamId), eq(memberships.userId, userId)));
      if (!before) return "not_member";
      if (before.role === "admin" && role !== "admin") {
        const [admins] = await tx
          .select({ count: sql<number>`count(*)::int` })
          .from(memberships)
          .where(and(eq(memberships.teamId, teamId), eq(memberships.role, "admin")));
        if ((admins?.count ?? 0) <= 1) return "last_admin";
      }
      const own = and(eq(memberships.teamId, teamId), eq(memberships.userId, userId));
      if (role === null) await tx.delete(memberships).where(own);
      else await tx.update(memberships).set({ role }).where(own);
      return { ...before, role: before.role as Role };
    });
  }

  /** Adds the user to the team or changes their role there. */
  async setMembership(teamId: string, userId: string, role: Role, now: Date): Promise<void> {
    await this.db
      .insert(memberships)
      .values({ teamId, userId, role, createdAt: now })
      .onConflictDoUpdate({ target: [memberships.teamId, memberships.userId], set: { role } });
  }

  async removeMembership(teamId: string, userId: string): Promise<boolean> {
    const removed = await this.db
      .delete(memberships)
      .where(and(eq(memberships.teamId, teamId), eq(memberships.userId, userId)))
      .returning({ userId: memberships.userId });
    return removed.length > 0;
  }

  async adminCount(teamId: string): Promise<number> {
    const [row] = await this.db
      .select({ count: sql<number>`count(*)::int` })
      .from(memberships)
      .where(and(eq(memberships.teamId, teamId), eq(memberships.role, "admin")));
    return row?.count ?? 0;
  }

  async createSession(session: Session): Promise<void> {
    await this.db.insert(sessions).values(session);
  }

  /** The live session with this id and its user. */
  async session(id: string, now: Date): Promise<{ session: Session; user: User } | undefined> {
    const [row] = await this.db
      .select({ session: sessions, user: publicUser })
      .from(sessions)
      .innerJoin(users, eq(users.id, sessions.userId))
      .where(and(eq(sessions.id, id), gt(sessions.expiresAt, now)));
    return row;
  }

  async deleteSession(id: string): Promise<void> {
    await this.db.delete(sessions).where(eq(sessions.id, id));
  }

  /** Removes sessions that ended before `now`; they no longer sign anyone in anyway. */
  async deleteExpiredSessions(now: Date): Promise<void> {
    await this.db.delete(sessions).where(lt(sessions.expiresAt, now));
  }

  /** Signs the user out everywhere but `keepId`, e.g. after a password change. */
  async deleteOtherSessions(userId: string, keepId: string): Promise<void> {
    await this.db.delete(sessions).where(and(eq(sessions.userId, userId), ne(sessions.id, keepId)));
  }

  async createToken(token: ApiToken & { hash: string }): Promise<ApiToken> {
    const [row] = await this.db.insert(apiTokens).values(token).returning(tokenColumns);
    return row as ApiToken;
  }

  async tokens(teamId: string): Promise<ApiToken[]> {
    const rows = await this.db.select(tokenColumns).from(apiTokens).where(eq(apiTokens.teamId, teamId)).orderBy(asc(apiTokens.createdAt));
    return rows as ApiToken[];
  }

  async token(teamId: string, id: string): Promise<ApiToken | undefined> {
    const [row] = await this.db
      .select(tokenColumns)
      .from(apiTokens)
      .where(and(eq(apiTokens.teamId, teamId), eq(apiTokens.id, id)));
    return row as ApiToken | undefined;
  }

  /** The token with this hash if it is neither revoked nor expired, marking it used now. */
  async useToken(hash: string, now: Date): Promise<ApiToken | undefined> {
    const [row] = await this.db
      .update(apiTokens)
      .set({ lastUsedAt: now })
      .where(
        and(
          eq(apiTokens.hash, hash),
          isNull(apiTokens.revokedAt),
          sql`(${apiTokens.expiresAt} is null or ${apiTokens.expiresAt} > ${now})`,
        ),
      )
      .returning(tokenColumns);
    return row as ApiToken | undefined;
  }

  async revokeToken(teamId: string, id: string, now: Date): Promise<ApiToken | undefined> {
    const [row] = await this.db
      .update(apiTokens)
      .set({ revokedAt: sql`coalesce(${apiTokens.revokedAt}, ${now})` })
      .where(and(eq(apiTokens.teamId, teamId), eq(apiTokens.id, id)))
      .returning(tokenColumns);
    return row as ApiToken | undefined;
  }

  async createSetupLink(hash: string, expiresAt: Date): Promise<void> {
    await this.db.insert(setupLinks).values({ hash, expiresAt });
  }

  /** Marks the link used; false when it is unknown, used already or expired. */
  async useSetupLink(hash: string, now: Date): Promise<boolean> {
    const used = await this.db
      .update(setupLinks)
      .set({ usedAt: now })
      .where(and(eq(setupLinks.hash, hash), isNull(setupLinks.usedAt), gt(setupLinks.expiresAt, now)))
      .returning({ hash: setupLinks.hash });
    return used.length > 0;
  }
}
