import { createRoute, z, type RouteConfig } from "@hono/zod-openapi";
import type { ZodType } from "zod";
import { requireRole } from "./auth/authenticate.js";
import type { Role } from "./auth/roles.js";
import { ProblemSchema } from "./problems.js";
import { slugSchema } from "../core/names.js";

/**
 * Lowercase letters, digits and dashes: the names that appear in URLs. A copy, because zod gives
 * a schema `.openapi()` only when it is made after @hono/zod-openapi has loaded, and src/core's
 * may be made first.
 */
export const SlugSchema = slugSchema.clone();

const IdSchema = z.string().min(1).max(100);

export const TeamParams = z.object({ team: SlugSchema.openapi({ param: { name: "team", in: "path" }, example: "payments" }) });

/** An id in the path, e.g. `pathId("release")` for /releases/{release}. */
export const pathId = (name: string) => IdSchema.openapi({ param: { name, in: "path" } });

export const jsonBody = <T extends ZodType>(schema: T) => ({
  body: { content: { "application/json": { schema } }, required: true },
});

export const jsonResponse = <T extends ZodType>(schema: T, description: string) => ({
  content: { "application/json": { schema } },
  description,
});

/** An error answer, documented with what it means on this route. */
export const problem = (description: string) => jsonResponse(ProblemSchema, description);

export const ERROR_RESPONSES = {
  400: problem("The request is malformed; `error.fields` names each bad field."),
  401: problem("No valid token or session."),
  403: problem("Your role in the team does not allow this."),
  404: problem("No such object in this team (other teams' objects are never revealed)."),
} as const;

export const SECURITY: Record<string, string[]>[] = [{ bearerToken: [] }, { sessionCookie: [] }];

/**
 * A route under /api/v1/teams/{team}: documented with the role it needs, and refused with 403
 * to callers below that role. Authentication and team resolution happen before, for all of them.
 */
export function teamRoute<R extends Omit<RouteConfig, "middleware" | "security">>(role: Role, config: R) {
  return createRoute({
    ...config,
    security: SECURITY,
    description: [config.description, `Requires the \`${role}\` role in the team.`].filter(Boolean).join("\n\n"),
    middleware: [requireRole(role)] as const,
    responses: { ...ERROR_RESPONSES, ...config.responses },
  });
}

/** Epoch-millisecond timestamps of the API are ISO 8601 strings. */
export const Timestamp = z.string().openapi({ format: "date-time", example: "2026-11-29T12:00:00.000Z" });
export const iso = (date: Date | number | null) => (date === null ? null : new Date(date).toISOString());
