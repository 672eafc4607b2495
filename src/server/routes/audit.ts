import { z, type OpenAPIHono } from "@hono/zod-openapi";
import type { ServerEnv } from "../context.js";
import { badRequest } from "../problems.js";
import { iso, jsonResponse, TeamParams, teamRoute, Timestamp } from "../route-kit.js";
import type { AuditEntry } from "../../store/audit-store.js";

const MAX_LIMIT = 500;

const AuditEntrySchema = z
  .object({
    id: z.number().int(),
    at: Timestamp,
    actorType: z.string().openapi({ description: '"user", "token" or "system".' }),
    actorId: z.string().nullable(),
    actor: z.string().openapi({ description: "A user's email or a token's name, as it was then.", example: "ada@example.com" }),
    action: z.string().openapi({ example: "member.update" }),
    objectType: z.string().openapi({ example: "member" }),
    objectId: z.string().nullable(),
    sourceAddress: z.string().nullable().openapi({ description: "The IP address the request came from.", example: "203.0.113.7" }),
    details: z.record(z.string(), z.unknown()),
  })
  .openapi("AuditEntry");

const text = (description: string, example: string) => z.string().min(1).max(200).optional().openapi({ description, example });
const time = (description: string) =>
  z.iso
    .datetime({ offset: true, error: "use an ISO 8601 time with a zone, e.g. 2026-11-29T12:00:00Z" })
    .optional()
    .openapi({ description, example: "2026-11-29T12:00:00Z" });

const AuditQuery = z
  .object({
    action: text("Only this action.", "release.approve"),
    actor: text("Only this actor: a user's email or `token <name>`.", "ada@example.com"),
    objectType: text("Only this kind of object.", "release"),
    objectId: text("Only this object.", "0b6f0c1e-..."),
    since: time("Only entries at or after this time."),
    until: time("Only entries at or before this time."),
    limit: z.coerce
      .number({ error: "use a whole number" })
      .int("use a whole number")
      .min(1, "use at least 1")
      .max(MAX_LIMIT, `use at most ${MAX_LIMIT}`)
      .default(100)
      .openapi({ description: `Entries per page, 1 to ${MAX_LIMIT}.`, example: 100 }),
    before: z.coerce
      .number({ error: "use an entry id" })
      .int("use an entry id")
      .positive("use an entry id")
      .optional()
      .openapi({ description: "Only entries older than this id: pass the `nextBefore` of the page before." }),
  })
  .strict();

const listAudit = teamRoute("viewer", {
  method: "get",
  path: "/api/v1/teams/{team}/audit",
  tags: ["Audit"],
  summary: "The team's audit log",
  description: "Who changed what, when and from where; newest first. The log is append-only: entries are never changed or removed.",
  request: { params: TeamParams, query: AuditQuery },
  responses: {
    200: jsonResponse(
      z.object({
        entries: z.array(AuditEntrySchema),
        nextBefore: z.number().int().nullable().openapi({ description: "Pass as `before` for the next page; null on the last page." }),
      }),
      "A page of entries.",
    ),
  },
});

export function auditRoutes(app: OpenAPIHono<ServerEnv>): void {
  app.openapi(listAudit, async (c) => {
    const { since, until, limit, before, ...filters } = c.req.valid("query");
    const sinceDate = since === undefined ? undefined : new Date(since);
    const untilDate = until === undefined ? undefined : new Date(until);
    if (sinceDate && untilDate && untilDate < sinceDate) {
      throw badRequest("the query is invalid: query.until: is before since", [{ field: "query.until", message: "is before since" }]);
    }
    // One more than asked tells whether another page follows.
    const found = await c.var.services.audit.list({
      ...filters,
      teamId: c.var.access.team.id,
      since: sinceDate,
      until: untilDate,
      before,
      limit: limit + 1,
    });
    const entries = found.slice(0, limit);
    return c.json({ entries: entries.map(entryView), nextBefore: found.length > limit ? entries[entries.length - 1]!.id : null }, 200);
  });
}

function entryView(entry: AuditEntry) {
  return {
    id: entry.id,
    at: iso(entry.at)!,
    actorType: entry.actorType,
    actorId: entry.actorId,
    actor: entry.actor,
    action: entry.action,
    objectType: entry.objectType,
    objectId: entry.objectId,
    sourceAddress: entry.sourceAddress,
    details: entry.details,
  };
}
