import { getConnInfo } from "@hono/node-server/conninfo";
import type { Context } from "hono";
import { actorName, type ServerEnv } from "./context.js";

export interface AuditRecord {
  /** What was done, "<object type>.<verb>", e.g. "release.approve". */
  action: string;
  objectId: string | null;
  details?: Record<string, unknown>;
  /** The team whose log it goes to, when not the route's team (e.g. a team just created); null: no team's. */
  teamId?: string | null;
}

/** Appends who did what, when and from where to the audit log of the route's team. */
export async function recordAudit(c: Context<ServerEnv>, { action, objectId, details = {}, teamId }: AuditRecord): Promise<void> {
  const { principal, services } = c.var;
  await services.audit.append({
    teamId: teamId !== undefined ? teamId : (c.get("access")?.team.id ?? (principal.kind === "token" ? principal.teamId : null)),
    at: new Date(services.clock.now()),
    actorType: principal.kind,
    actorId: principal.kind === "user" ? principal.userId : principal.tokenId,
    actor: actorName(principal),
    action,
    objectType: action.split(".")[0]!,
    objectId,
    sourceAddress: sourceAddress(c),
    details,
  });
}

export function sourceAddress(c: Context): string | null {
  try {
    return getConnInfo(c).remote.address ?? null;
  } catch {
    return null;
  }
}
