import { z, type OpenAPIHono } from "@hono/zod-openapi";
import { randomUUID } from "node:crypto";
import type { Context } from "hono";
import type { ZodError } from "zod";
import { BUILTIN_PLANS } from "../../core/builtin-plans.js";
import { METRICS_SOURCES } from "../../platforms/cloudflare/connect.js";
import { PLATFORMS } from "../../platforms/registry.js";
import { PlatformError, type PlatformConnection } from "../../platforms/types.js";
import { ConfigStore, type Connection, type TargetWithNames } from "../../store/config-store.js";
import { recordAudit } from "../audit.js";
import type { ServerEnv } from "../context.js";
import { connectCounted, inServerTerms, openConnectionSecret, targetRefFor, withinMs } from "../platform-connections.js";
import { badRequest, conflict, HttpProblem, notFound, type FieldProblem } from "../problems.js";
import { iso, jsonBody, jsonResponse, problem, SlugSchema, TeamParams, teamRoute, Timestamp } from "../route-kit.js";

/** How long GET of a target waits for the platform's live split before answering without it. */
const LIVE_SPLIT_TIMEOUT_MS = 5000;

const WorkerName = z
  .string({ error: (issue) => (issue.input === undefined ? "is needed for a Cloudflare target: the Worker's name" : "must be a string") })
  .regex(/^[a-z0-9_-]{1,63}$/, "must be the Worker's name (wrangler's `name`): lowercase letters, digits, dashes and underscores")
  .openapi({ description: "Cloudflare: the Worker's script name.", example: "storefront" });

const cloudflareSettings = {
  metrics: z
    .enum(METRICS_SOURCES, `must be ${METRICS_SOURCES.join(" or ")}`)
    .optional()
    .openapi({ description: "Cloudflare: where per-version SLIs come from; graphql by default." }),
  lagSeconds: z
    .number()
    .int("must be a whole number of seconds")
    .min(0, "must be 0 or more")
    .max(3600, "must be at most 3600")
    .optional()
    .openapi({ description: "Cloudflare: how far behind real time the metrics are complete." }),
};

const TargetSettingsInput = z
  .object({ worker: WorkerName.optional(), ...cloudflareSettings })
  .strict()
  .openapi("TargetSettings", { description: "Cloudflare: `{ worker, metrics?, lagSeconds? }`. Local: `{}`." });

/** Each platform's target settings, checked once the connection (and so the platform) is known. */
const PLATFORM_SETTINGS: Record<string, z.ZodType<z.infer<typeof TargetSettingsInput>>> = {
  cloudflare: z.object({ worker: WorkerName, ...cloudflareSettings }).strict(),
  local: z.object({}).strict(),
};

const NewTargetSchema = z
  .object({
    name: SlugSchema.openapi({ example: "storefront" }),
    connection: SlugSchema.openapi({ description: "The name of the team's connection to the target's platform.", example: "production" }),
    settings: TargetSettingsInput.default({}),
    defaultPlan: SlugSchema.optional().openapi({ description: "The name of one of the team's plans, used when a release names none." }),
  })
  .strict()
  .openapi("NewTarget");

const TargetChangeSchema = z
  .object({
    name: SlugSchema.optional(),
    connection: SlugSchema.optional(),
    settings: TargetSettingsInput.optional().openapi({ description: "Replaces all the settings." }),
    defaultPlan: SlugSchema.nullable().optional().openapi({ description: "null: no default plan." }),
  })
  .strict()
  .openapi("TargetChange");

const SplitSchema = z.array(z.object({ version: z.string(), percent: z.number() })).openapi("Split", {
  example: [
    { version: "v1", percent: 95 },
    { version: "v2", percent: 5 },
  ],
});

const TargetSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    platform: z.enum(PLATFORMS),
    connection: z.string().openapi({ description: "The connection's name." }),
    settings: z.object({
      worker: z.string().optional(),
      metrics: z.enum(METRICS_SOURCES).optional(),
      lagSeconds: z.number().optional(),
    }),
    defaultPlan: z.string().nullable(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .openapi("Target");

const TargetDetailSchema = TargetSchema.extend({
  liveSplit: SplitSchema.nullable().openapi({ description: "The traffic split the platform serves now; null when it could not be read." }),
  liveSplitError: z.string().nullable().openapi({ description: "Why liveSplit is null: the platform's message." }),
}).openapi("TargetDetail");

const VersionSchema = z.object({ id: z.string(), description: z.string().optional() }).openapi("Version");

const TargetParams = TeamParams.extend({
  target: SlugSchema.openapi({ param: { name: "target", in: "path" }, example: "storefront" }),
});

const REFUSED = problem("The platform refused, or does not know the target; the message says why.");

const listTargets = teamRoute("viewer", {
  method: "get",
  path: "/api/v1/teams/{team}/targets",
  tags: ["Targets"],
  summary: "List the team's targets",
  request: { params: TeamParams },
  responses: { 200: jsonResponse(z.object({ targets: z.array(TargetSchema) }), "The targets.") },
});

const createTarget = teamRoute("admin", {
  method: "post",
  path: "/api/v1/teams/{team}/targets",
  tags: ["Targets"],
  summary: "Add a target",
  description: "Lists the target's versions on its platform first, and saves nothing when that fails.",
  request: { params: TeamParams, ...jsonBody(NewTargetSchema) },
  responses: {
    201: jsonResponse(TargetSchema, "The new target."),
    409: problem("The team has a target of this name."),
    422: REFUSED,
  },
});

const getTarget = teamRoute("viewer", {
  method: "get",
  path: "/api/v1/teams/{team}/targets/{target}",
  tags: ["Targets"],
  summary: "Show a target and its live split",
  description: `The live split is read from the platform; when that fails or takes over ${LIVE_SPLIT_TIMEOUT_MS / 1000}s, \`liveSplit\` is null and \`liveSplitError\` says why.`,
  request: { params: TargetParams },
  responses: { 200: jsonResponse(TargetDetailSchema, "The target.") },
});

const listVersions = teamRoute("viewer", {
  method: "get",
  path: "/api/v1/teams/{team}/targets/{target}/versions",
  tags: ["Targets"],
  summary: "List the target's versions on its platform",
  request: { params: TargetParams },
  responses: {
    200: jsonResponse(z.object({ versions: z.array(VersionSchema) }), "The versions a release can use; Cloudflare: newest first."),
    422: REFUSED,
    503: problem("The platform cannot be reached now; try again."),
  },
});

const updateTarget = teamRoute("admin", {
  method: "patch",
  path: "/api/v1/teams/{team}/targets/{target}",
  tags: ["Targets"],
  summary: "Change a target",
  description: "Changes the given fields only. A new connection or new settings are tried first, and nothing is saved when that fails.",
  request: { params: TargetParams, ...jsonBody(TargetChangeSchema) },
  responses: {
    200: jsonResponse(TargetSchema, "The changed target."),
    409: problem("The team has another target of the new name."),
    422: REFUSED,
  },
});

const deleteTarget = teamRoute("admin", {
  method: "delete",
  path: "/api/v1/teams/{team}/targets/{target}",
  tags: ["Targets"],
  summary: "Delete a target",
  request: { params: TargetParams },
  responses: {
    204: { description: "Deleted." },
    409: problem("Releases have run on the target; they keep referring to it."),
  },
});

export function targetRoutes(app: OpenAPIHono<ServerEnv>): void {
  app.openapi(listTargets, async (c) => {
    const targets = await store(c).targets(c.var.access.team.id);
    return c.json({ targets: targets.map(targetView) }, 200);
  });

  app.openapi(createTarget, async (c) => {
    const input = c.req.valid("json");
    const { services, access } = c.var;
    const connection = await connectionNamed(c, input.connection);
    const settings = platformSettings(connection.platform, input.settings);
    const defaultPlanId = input.defaultPlan === undefined ? null : await planIdOf(c, input.defaultPlan);
    await refuseUnlessReachable(c, settings, connection);
    const now = new Date(services.clock.now());
    const created = await store(c).createTarget({
      id: randomUUID(),
      teamId: access.team.id,
      connectionId: connection.id,
      name: input.name,
      settings,
      defaultPlanId,
      createdAt: now,
      updatedAt: now,
    });
    if (created === "name_taken") throw conflict(`the team already has a target named ${input.name}; choose another name`);
    await recordAudit(c, {
      action: "target.create",
      objectId: created.id,
      details: { name: input.name, connection: connection.name, settings, defaultPlan: input.defaultPlan ?? null },
    });
    return c.json(targetView((await store(c).target(access.team.id, created.name))!), 201);
  });

  app.openapi(getTarget, async (c) => {
    const target = await existing(c, c.req.valid("param").target);
    const live = await liveSplit(c, target);
    return c.json({ ...targetView(target), ...live }, 200);
  });

  app.openapi(listVersions, async (c) => {
    const target = await existing(c, c.req.valid("param").target);
    const connection = await connectionNamed(c, target.connectionName);
    try {
      const versions = await platformOf(c, target, connection).target.listVersions();
      return c.json({ versions: versions.map(({ id, description }) => ({ id, ...(description !== undefined && { description }) })) }, 200);
    } catch (error) {
      throw platformProblem(error, `cannot list the versions of target ${target.name}`);
    }
  });

  app.openapi(updateTarget, async (c) => {
    const changes = c.req.valid("json");
    const { services, access } = c.var;
    const target = await existing(c, c.req.valid("param").target);
    const connection = await connectionNamed(c, changes.connection ?? target.connectionName);
    const platformChanged = changes.connection !== undefined || changes.settings !== undefined;
    const settings = platformChanged ? platformSettings(connection.platform, changes.settings ?? settingsInput(target.settings)) : target.settings;
    const defaultPlanId =
      changes.defaultPlan === undefined ? undefined : changes.defaultPlan === null ? null : await planIdOf(c, changes.defaultPlan);
    if (platformChanged) await refuseUnlessReachable(c, settings, connection);
    const updated = await store(c).updateTarget(access.team.id, target.id, {
      ...(changes.name !== undefined && { name: changes.name }),
      connectionId: connection.id,
      settings,
      ...(defaultPlanId !== undefined && { defaultPlanId }),
      updatedAt: new Date(services.clock.now()),
    });
    if (updated === "name_taken") throw conflict(`the team already has a target named ${changes.name}; choose another name`);
    if (!updated) throw notFound(`target ${target.name}`);
    await recordAudit(c, {
      action: "target.update",
      objectId: target.id,
      details: {
        name: updated.name,
        ...(updated.name !== target.name && { previousName: target.name }),
        connection: connection.name,
        settings,
        ...(changes.defaultPlan !== undefined && { defaultPlan: changes.defaultPlan }),
      },
    });
    return c.json(targetView((await store(c).target(access.team.id, updated.name))!), 200);
  });

  app.openapi(deleteTarget, async (c) => {
    const target = await existing(c, c.req.valid("param").target);
    const deleted = await store(c).deleteTarget(c.var.access.team.id, target.id);
    if (!deleted) throw notFound(`target ${target.name}`);
    if ("releases" in deleted) {
      throw conflict(`target ${target.name} has ${deleted.releases} release(s), which keep referring to it; it cannot be deleted`);
    }
    await recordAudit(c, { action: "target.delete", objectId: target.id, details: { name: target.name, connection: target.connectionName } });
    return c.body(null, 204);
  });
}

const store = (c: Context<ServerEnv>) => new ConfigStore(c.var.services.db);

async function existing(c: Context<ServerEnv>, name: string): Promise<TargetWithNames> {
  const target = await store(c).target(c.var.access.team.id, name);
  if (!target) throw notFound(`target ${name}`);
  return target;
}

async function connectionNamed(c: Context<ServerEnv>, name: string): Promise<Connection> {
  const connection = await store(c).connection(c.var.access.team.id, name);
  if (!connection) {
    const field = { field: "body.connection", message: `the team has no connection named ${name}; create it under /connections first` };
    throw badRequest(`the body is invalid: ${field.field}: ${field.message}`, [field]);
  }
  return connection;
}

async function planIdOf(c: Context<ServerEnv>, name: string): Promise<string> {
  const plan = await store(c).plan(c.var.access.team.id, name);
  if (plan) return plan.id;
  const message =
    Object.hasOwn(BUILTIN_PLANS, name)
      ? `${name} is a built-in plan, and a target's default must be one of the team's plans: save a copy under /plans and name that`
      : `the team has no plan named ${name}`;
  throw badRequest(`the body is invalid: body.defaultPlan: ${message}`, [{ field: "body.defaultPlan", message }]);
}

/** The settings as stored (strings), after checking them against the platform's own rules. */
function platformSettings(platform: string, input: z.infer<typeof TargetSettingsInput>): Record<string, string> {
  const schema = PLATFORM_SETTINGS[platform];
  if (!schema) throw badRequest(`the connection's platform ${platform} is unknown to this server`);
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const fields = fieldsOf(parsed.error, "body.settings", platform);
    throw badRequest(`the body is invalid: ${fields.map((f) => `${f.field}: ${f.message}`).join("; ")}`, fields);
  }
  const { worker, metrics, lagSeconds } = parsed.data;
  if (platform !== "cloudflare") return {};
  return { worker: worker!, metrics: metrics ?? "graphql", ...(lagSeconds !== undefined && { lagSeconds: String(lagSeconds) }) };
}

function settingsInput(settings: Record<string, string>): z.infer<typeof TargetSettingsInput> {
  const { worker, metrics, lagSeconds } = settings;
  return {
    ...(worker !== undefined && { worker }),
    ...(metrics !== undefined && { metrics: metrics as (typeof METRICS_SOURCES)[number] }),
    ...(lagSeconds !== undefined && { lagSeconds: Number(lagSeconds) }),
  };
}

function fieldsOf(error: ZodError, prefix: string, platform: string): FieldProblem[] {
  const at = (path: PropertyKey[]) => [prefix, ...path.map((key) => (typeof key === "number" ? `[${key}]` : `.${String(key)}`))].join("");
  return error.issues.flatMap((issue) =>
    issue.code === "unrecognized_keys"
      ? issue.keys.map((key) => ({ field: at([...issue.path, key]), message: `is not a setting of ${platform} targets` }))
      : [{ field: at(issue.path), message: issue.message }],
  );
}

function platformOf(c: Context<ServerEnv>, target: Pick<TargetWithNames, "settings">, connection: Connection): PlatformConnection {
  const secret = openConnectionSecret(c.var.services.secrets, connection);
  if (secret instanceof Error) throw new PlatformError(`connection ${connection.name}: ${secret.message}`, false);
  return connectCounted(targetRefFor(target, connection), secret, c.var.services.metrics);
}

async function refuseUnlessReachable(c: Context<ServerEnv>, settings: Record<string, string>, connection: Connection): Promise<void> {
  try {
    await platformOf(c, { settings }, connection).target.listVersions();
  } catch (error) {
    const said = error instanceof PlatformError ? inServerTerms(error.message) : (error as Error).message;
    throw new HttpProblem(422, "target_unreachable", `the target does not work through connection ${connection.name}, so it was not saved: ${said}`);
  }
}

async function liveSplit(c: Context<ServerEnv>, target: TargetWithNames) {
  try {
    const connection = await connectionNamed(c, target.connectionName);
    const split = await withinMs(LIVE_SPLIT_TIMEOUT_MS, platformOf(c, target, connection).target.currentSplit(), `the ${target.platform} platform`);
    return { liveSplit: split.map(({ version, percent }) => ({ version, percent })), liveSplitError: null };
  } catch (error) {
    const message = error instanceof PlatformError ? inServerTerms(error.message) : (error as Error).message;
    return { liveSplit: null, liveSplitError: message };
  }
}

/** 503 when trying again may help, 422 when the platform refused for good. */
function platformProblem(error: unknown, doing: string): HttpProblem {
  if (error instanceof HttpProblem) return error;
  const message = `${doing}: ${error instanceof PlatformError ? inServerTerms(error.message) : (error as Error).message}`;
  return error instanceof PlatformError && error.retryable
    ? new HttpProblem(503, "platform_unavailable", message)
    : new HttpProblem(422, "platform_refused", message);
}

/** A target as the API shows it. */
function targetView(target: TargetWithNames) {
  const { worker, metrics, lagSeconds } = target.settings;
  return {
    id: target.id,
    name: target.name,
    platform: target.platform as (typeof PLATFORMS)[number],
    connection: target.connectionName,
    settings: {
      ...(worker !== undefined && { worker }),
      ...(metrics !== undefined && { metrics: metrics as (typeof METRICS_SOURCES)[number] }),
      ...(lagSeconds !== undefined && { lagSeconds: Number(lagSeconds) }),
    },
    defaultPlan: target.defaultPlanName,
    createdAt: iso(target.createdAt)!,
    updatedAt: iso(target.updatedAt)!,
  };
}
