import type { OpenAPIHono } from "@hono/zod-openapi";
import type { ServerEnv } from "../context.js";
import { auditRoutes } from "./audit.js";
import { channelRoutes } from "./channels.js";
import { connectionRoutes } from "./connections.js";
import { memberRoutes } from "./members.js";
import { planRoutes } from "./plans.js";
import { releaseRoutes } from "./releases.js";
import { sessionRoutes } from "./session.js";
import { targetRoutes } from "./targets.js";
import { teamRoutes } from "./teams.js";
import { tokenRoutes } from "./tokens.js";

/** Every group of API routes; each registers its own under /api/v1. */
export const ROUTE_GROUPS: ((app: OpenAPIHono<ServerEnv>) => void)[] = [sessionRoutes, teamRoutes, memberRoutes, auditRoutes, tokenRoutes, connectionRoutes, targetRoutes, planRoutes, releaseRoutes, channelRoutes];
