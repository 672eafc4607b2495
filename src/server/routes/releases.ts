import { z, type OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { PlanError, type Plan } from "../../core/plan.js";
import { isSettled, RELEASE_STATES } from "../../core/release.js";
import type { Command } from "../../core/step.js";
import { ReleaseRefused } from "../../engine/engine.js";
import { PlatformError } from "../../platforms/types.js";
import { ConfigStore, type TargetWithNames } from "../../store/config-store.js";
import { TeamReleases, type TeamRelease } from "../../store/team-releases.js";
import { recordAudit } from "../audit.js";
import { actorName, type ServerEnv } from "../context.js";
import { IDEMPOTENCY_REPLAYED, IdempotencyHeaders, once } from "../idempotency.js";
import { EventSignal, resumePoint, streamEvents } from "../live-events.js";
import { targetRefFor } from "../platform-connections.js";
import { badRequest, conflict, HttpProblem, notFound } from "../problems.js";
import { releaseDetail, ReleaseDetailSchema, releaseSummary, ReleaseSummarySchema } from "../release-view.js";
import { jsonBody, jsonResponse, pathId, problem, SlugSchema, TeamParams, teamRoute } from "../route-kit.js";
import { findPlan } from "./plans.js";

const NewReleaseSchema = z
  .object({
    target: SlugSchema.openapi({ description: "The target's name.", example: "checkout" }),
    candidate: z.string().min(1).max(200).openapi({ description: "The version to roll out.", example: "b2c9e4f1" }),
    stable: z.string().min(1).max(200).optional().openapi({ description: "The version serving now; by default the one with all the traffic." }),
    plan: z.string().min(1).max(100).optional().openapi({ description: "A plan's name; by default the target's default plan, else `standard`." }),
    name: z.string().trim().min(1).max(200).optional().openapi({ description: "By default `<target> <candidate>`." }),
    autoStart: z.boolean().default(false).openapi({ description: "Start at once instead of waiting for the start command." }),
    adopt: z.boolean().default(false).openapi({ description: "Take over a split between the same two versions that is already live." }),
    ticketUrl: z
      .url({ protocol: /^https?$/, error: "must be an http(s) URL" })
      .max(2000)
      .optional()
      .openapi({ description: "The change ticket or pull request this release belongs to; shown with the release.", example: "https://github.com/acme/shop/pull/42" }),
  })
  .strict();

const ListQuery = z.object({
  target: SlugSchema.optional(),
  state: z
    .string()
    .optional()
    .refine((text) => text === undefined || text.split(",").every((state) => (RELEASE_STATES as readonly string[]).includes(state)), {
      message: `use one or more of ${RELEASE_STATES.join(", ")}, separated by commas`,
    })
    .openapi({ description: "One state or several separated by commas.", example: "running,awaiting_approval" }),
  since: z.iso.datetime({ offset: true }).optional().openapi({ description: "Created at or after." }),
  until: z.iso.datetime({ offset: true }).optional().openapi({ description: "Created at or before." }),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  before: z.string().min(1).max(100).optional().openapi({ description: "A release id: the page of releases created before it." }),
});

const ReleaseParams = TeamParams.extend({ release: pathId("release") });
const CommandBody = z.object({ reason: z.string().trim().min(1).max(500).optional() }).strict();

/** The API's command names, and what each asks of the release. */
const COMMANDS = {
  start: { command: () => ({ type: "start" }), summary: "Start a pending release" },
  approve: { command: () => ({ type: "approve" }), summary: "Approve the manual stage the release waits at" },
  deny: { command: (reason) => ({ type: "deny", reason }), summary: "Deny the manual stage: roll back" },
  pause: { command: (reason) => ({ type: "pause", reason }), summary: "Hold the release at its split" },
  resume: { command: () => ({ type: "resume" }), summary: "Resume a paused release" },
  promote: { command: (reason) => ({ type: "promote_now", reason }), summary: "Promote the candidate to 100% now" },
  cancel: { command: (reason) => ({ type: "cancel", reason }), summary: "Cancel: all traffic back to stable" },
  rollback: { command: (reason) => ({ type: "rollback_now", reason }), summary: "Roll back now: all traffic back to stable" },
} satisfies Record<string, { command: (reason?: string) => Command; summary: string }>;

const createRelease = teamRoute("deployer", {
  method: "post",
  path: "/api/v1/teams/{team}/releases",
  tags: ["Releases"],
  summary: "Create a release",
  description:
    "Checks the versions against the platform and records a `pending` release, or starts it at once with `autoStart`. Send an `Idempotency-Key` to make retries safe.",
  request: { params: TeamParams, headers: IdempotencyHeaders, ...jsonBody(NewReleaseSchema) },
  responses: {
    201: jsonResponse(ReleaseSummarySchema, "The new release."),
    409: problem("The platform or the target is busy with another rollout."),
    422: problem("The Idempotency-Key was used for a different request."),
    503: problem("The platform could not be reached."),
  },
});

const listReleases = teamRoute("viewer", {
  method: "get",
  path: "/api/v1/teams/{team}/releases",
  tags: ["Releases"],
  summary: "List releases, newest first",
  request: { params: TeamParams, query: ListQuery },
  responses: {
    200: jsonResponse(z.object({ releases: z.array(ReleaseSummarySchema), nextBefore: z.string().nullable() }), "A page of releases."),
  },
});

const getRelease = teamRoute("viewer", {
  method: "get",
  path: "/api/v1/teams/{team}/releases/{release}",
  tags: ["Releases"],
  summary: "A release with its stages, checks, timeline and SLI series",
  request: { params: ReleaseParams },
  responses: { 200: jsonResponse(ReleaseDetailSchema, "The release.") },
});

const SSE_RESPONSE = {
  200: { content: { "text/event-stream": { schema: z.string() } }, description: "Server-Sent Events; each carries the event's id for Last-Event-ID." },
};
const AfterQuery = z.object({ after: z.coerce.number().int().min(0).optional().openapi({ description: "Start after this event id." }) });

const releaseEvents = teamRoute("viewer", {
  method: "get",
  path: "/api/v1/teams/{team}/releases/{release}/events",
  tags: ["Events"],
  summary: "Follow one release live",
  description: "Sends the release's whole timeline, then each new event; ends with an `end` event once the release has ended and its final split is in place.",
  request: { params: ReleaseParams, query: AfterQuery },
  responses: SSE_RESPONSE,
});

const teamEvents = teamRoute("viewer", {
  method: "get",
  path: "/api/v1/teams/{team}/events",
  tags: ["Events"],
  summary: "Follow every release of the team live",
  description: "Starts with new events, or after Last-Event-ID / `after` to resume.",
  request: { params: TeamParams, query: AfterQuery },
  responses: SSE_RESPONSE,
});

export function releaseRoutes(app: OpenAPIHono<ServerEnv>): void {
  const eventSignal = new EventSignal();
  let listening = false;

  app.openapi(createRelease, async (c) => {
    const body = c.req.valid("json");
    const { body: summary, replayed } = await once(c, c.req.valid("header")["idempotency-key"], body, 201, () => createFromRequest(c, body));
    return c.json(summary, 201, replayed ? IDEMPOTENCY_REPLAYED : {});
  });

  app.openapi(listReleases, async (c) => {
    const query = c.req.valid("query");
    const { services, access } = c.var;
    const config = new ConfigStore(services.db);
    const targets = await config.targets(access.team.id);
    const teamReleases = new TeamReleases(services.db);
    let targetId: string | undefined;
    if (query.target !== undefined) {
      targetId = targets.find((target) => target.name === query.target)?.id;
      if (!targetId) return c.json({ releases: [], nextBefore: null }, 200);
    }
    const after = query.before === undefined ? undefined : await teamReleases.get(access.team.id, query.before);
    if (query.before !== undefined && !after) throw badRequest("`before` is not a release of this team", [{ field: "query.before", message: "no such release" }]);
    const page = await teamReleases.list({
      teamId: access.team.id,
      targetId,
      states: query.state?.split(",") as (typeof RELEASE_STATES)[number][] | undefined,
      since: query.since === undefined ? undefined : new Date(query.since),
      until: query.until === undefined ? undefined : new Date(query.until),
      before: after && { createdAt: new Date(after.release.createdAt), id: after.release.id },
      limit: query.limit,
    });
    const names = new Map(targets.map((target) => [target.id, target.name]));
    return c.json(
      {
        releases: page.map((stored) => releaseSummary(stored, names.get(stored.targetId ?? "") ?? null, services.publicUrl)),
        nextBefore: page.length === query.limit ? page[page.length - 1]!.release.id : null,
      },
      200,
    );
  });

  app.openapi(getRelease, async (c) => {
    const { services } = c.var;
    const stored = await teamRelease(c, c.req.valid("param").release);
    const [checks, events, targetName] = await Promise.all([
      services.releases.checks(stored.release.id),
      services.releases.events(stored.release.id),
      targetNameOf(c, stored),
    ]);
    return c.json(releaseDetail(stored, targetName, services.publicUrl, checks, events), 200);
  });

  for (const [name, { command, summary }] of Object.entries(COMMANDS)) {
    const route = teamRoute("deployer", {
      method: "post",
      path: `/api/v1/teams/{team}/releases/{release}/${name}`,
      tags: ["Releases"],
      summary,
      request: { params: ReleaseParams, headers: IdempotencyHeaders, body: { content: { "application/json": { schema: CommandBody } }, required: false } },
      responses: {
        200: jsonResponse(ReleaseSummarySchema, "The release after the command."),
        409: problem("The release's state does not allow it (e.g. someone approved first)."),
      },
    });
    app.openapi(route, async (c) => {
      const { services } = c.var;
      const id = c.req.valid("param").release;
      const stored = await teamRelease(c, id);
      const { reason } = c.req.valid("json") ?? {};
      const { body, replayed } = await once(c, c.req.valid("header")["idempotency-key"], { reason }, 200, async () => {
        const result = await services.engine.command(stored.release.id, command(reason), actorName(c.var.principal));
        if (!result.ok) throw conflict(result.error);
        await recordAudit(c, { action: `release.${name}`, objectId: id, details: reason === undefined ? {} : { reason } });
        services.nudge();
        const after = (await new TeamReleases(services.db).get(c.var.access.team.id, id))!;
        return releaseSummary(after, await targetNameOf(c, after), services.publicUrl);
      });
      return c.json(body, 200, replayed ? IDEMPOTENCY_REPLAYED : {});
    });
  }

  app.openapi(releaseEvents, async (c) => {
    listen(c);
    const stored = await teamRelease(c, c.req.valid("param").release);
    const { releases } = c.var.services;
    const id = stored.release.id;
    return streamEvents(
      c,
      {
        after: async (afterId, limit) => (await releases.events(id, afterId)).slice(0, limit),
        finished: async () => {
          const latest = await releases.get(id);
          return latest !== undefined && isSettled(latest.release);
        },
      },
      resumePoint(c, c.req.valid("query").after) ?? 0,
      eventSignal,
    );
  });

  app.openapi(teamEvents, async (c) => {
    listen(c);
    const teamId = c.var.access.team.id;
    const teamReleases = new TeamReleases(c.var.services.db);
    const start = resumePoint(c, c.req.valid("query").after) ?? (await teamReleases.lastEventId(teamId));
    return streamEvents(c, { after: (afterId, limit) => teamReleases.eventsAfter(teamId, afterId, limit) }, start, eventSignal);
  });

  /** Streams wake when this process's engine writes an event; other replicas' are found by polling. */
  function listen(c: Context<ServerEnv>) {
    if (listening) return;
    listening = true;
    c.var.services.engine.on("event", () => eventSignal.notify());
  }
}

/** Creates the release the request asks for, answering with what to fix when it cannot. */
async function createFromRequest(c: Context<ServerEnv>, body: z.infer<typeof NewReleaseSchema>): Promise<z.infer<typeof ReleaseSummarySchema>> {
  const { services, access } = c.var;
  const config = new ConfigStore(services.db);
  const target = await config.target(access.team.id, body.target);
  if (!target) throw badRequest(`no target named "${body.target}" in this team`, [{ field: "body.target", message: "no such target" }]);
  const connection = await config.connectionById(target.connectionId);
  if (!connection) throw notFound(`connection of target "${body.target}"`);
  const plan = await planFor(config, access.team.id, body.plan, target);
  const created = await services.engine
    .create(
      {
        name: body.name ?? `${target.name} ${body.candidate}`,
        target: targetRefFor(target, connection),
        stable: body.stable,
        candidate: body.candidate,
        plan,
        autoStart: body.autoStart,
      },
      { adopt: body.adopt, actor: actorName(c.var.principal), ownership: { teamId: access.team.id, targetId: target.id, createdBy: actorName(c.var.principal), ticketUrl: body.ticketUrl } },
    )
    .catch(createRefusal);
  const stored = (await new TeamReleases(services.db).get(access.team.id, created.id))!;
  await recordAudit(c, {
    action: "release.create",
    objectId: created.id,
    details: { target: target.name, stable: created.stable, candidate: created.candidate, plan: plan.name, autoStart: body.autoStart, ticketUrl: body.ticketUrl },
  });
  services.nudge();
  return releaseSummary(stored, target.name, services.publicUrl);
}

async function teamRelease(c: Context<ServerEnv>, id: string): Promise<TeamRelease> {
  const stored = await new TeamReleases(c.var.services.db).get(c.var.access.team.id, id);
  if (!stored) throw notFound(`release ${id}`);
  return stored;
}

async function targetNameOf(c: Context<ServerEnv>, stored: TeamRelease): Promise<string | null> {
  const targets = await new ConfigStore(c.var.services.db).targets(c.var.access.team.id);
  return targets.find((target) => target.id === stored.targetId)?.name ?? null;
}

async function planFor(config: ConfigStore, teamId: string, name: string | undefined, target: TargetWithNames): Promise<Plan> {
  const wanted = name ?? target.defaultPlanName ?? "standard";
  const found = await findPlan(config, teamId, wanted);
  if (!found) throw badRequest(`no plan named "${wanted}" in this team`, [{ field: "body.plan", message: "no such plan" }]);
  if (found instanceof PlanError) throw badRequest(`the plan "${wanted}" is no longer valid: ${found.message}`, [{ field: "body.plan", message: found.message }]);
  return found.plan;
}

/** Why the engine would not create the release, as the answer the caller can act on. */
function createRefusal(error: unknown): never {
  if (error instanceof ReleaseRefused) throw conflict(error.message);
  if (error instanceof PlatformError) {
    throw error.retryable
      ? new HttpProblem(503, "platform_unavailable", `the platform did not answer: ${error.message}; try again shortly`)
      : badRequest(`the platform refused: ${error.message}`);
  }
  throw error;
}
