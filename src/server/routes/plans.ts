import { z, type OpenAPIHono } from "@hono/zod-openapi";
import { randomUUID } from "node:crypto";
import type { Context } from "hono";
import { BUILTIN_PLANS } from "../../core/builtin-plans.js";
import { checkPlanDocument, builtInNameProblem } from "../../core/plan-check.js";
import { PLAN_LIMITS } from "../../core/plan-limits.js";
import { parsePlan, PlanError, planToInput, type Plan } from "../../core/plan.js";
import { ConfigStore, type StoredPlan } from "../../store/config-store.js";
import { recordAudit } from "../audit.js";
import type { ServerEnv } from "../context.js";
import { planBodyOrThrow, readPlanBody } from "../plan-body.js";
import { badRequest, conflict, notFound } from "../problems.js";
import { iso, jsonResponse, problem, SlugSchema, TeamParams, teamRoute, Timestamp } from "../route-kit.js";

/** A path under /plans that is a route, not a plan. */

const PlanDocumentSchema = z.record(z.string(), z.unknown()).openapi("PlanDocument", {
  description: "A plan as in a plan file: `name`, `stages` (`percent`, `soak`, `progression`), `slos`, `policy`, `preflight`. Durations are text such as `10m`.",
  example: {
    name: "checkout-careful",
    stages: [{ percent: 5, soak: "10m" }, { percent: 50, soak: "20m", progression: "manual" }, { percent: 100 }],
    slos: [{ sli: "error_rate", max: 0.01 }, { sli: "latency_p99", maxRatioToStable: 1.5 }],
    policy: { checkInterval: "15s", failureThreshold: 3 },
  },
});

/**
 * A plan in a request body, JSON or a plan file's YAML. The routes read it themselves, with the
 * parser plan files get, so the body is not parsed by the route's validator first.
 */
const planBody = {
  body: {
    required: true,
    description: `The plan document, as JSON or as a plan file's YAML (\`Content-Type: application/yaml\`); at most ${PLAN_LIMITS.textBytes / 1024} KiB.`,
    content: {
      "application/json": { schema: { $ref: "#/components/schemas/PlanDocument" } },
      "application/yaml": { schema: { type: "string" as const, description: "A plan file's text." } },
    },
  },
};

const FieldProblemSchema = z.object({ field: z.string(), message: z.string() });

/** The plan as a release uses it: durations in seconds. */
const ParsedPlanSchema = z.record(z.string(), z.unknown()).openapi("ParsedPlan", {
  description: "The plan as releases use it: stages with `soakSeconds`, the policy with `checkIntervalSeconds`, every default filled in.",
});

const StoredPlanSchema = z
  .object({
    id: z.string().nullable().openapi({ description: "null for a built-in plan." }),
    name: z.string(),
    builtIn: z.boolean().openapi({ description: "Built-in plans come with Glidepath and cannot be changed or deleted." }),
    revision: z.number().int().openapi({ description: "1 when created, one more on every update." }),
    document: PlanDocumentSchema,
    createdAt: Timestamp.nullable(),
    updatedAt: Timestamp.nullable(),
  })
  .openapi("Plan");

const ValidationSchema = z
  .object({
    valid: z.boolean(),
    errors: z.array(FieldProblemSchema).openapi({ description: "Each problem and the field it is in, e.g. `body.stages[1].percent`." }),
    plan: ParsedPlanSchema.nullable(),
  })
  .openapi("PlanValidation");

const PlanParams = TeamParams.extend({
  plan: SlugSchema.openapi({ param: { name: "plan", in: "path" }, example: "checkout-careful" }),
});


const listPlans = teamRoute("viewer", {
  method: "get",
  path: "/api/v1/teams/{team}/plans",
  tags: ["Plans"],
  summary: "List the team's plans and the built-in ones",
  request: { params: TeamParams },
  responses: { 200: jsonResponse(z.object({ plans: z.array(StoredPlanSchema) }), "The built-in plans, then the team's, by name.") },
});

const createPlan = teamRoute("deployer", {
  method: "post",
  path: "/api/v1/teams/{team}/plans",
  tags: ["Plans"],
  summary: "Save a plan",
  description: "The body is the plan document, as in a plan file; it is stored as given, durations as text.",
  request: { params: TeamParams, ...planBody },
  responses: {
    201: jsonResponse(StoredPlanSchema, "The saved plan."),
    409: problem("The team has a plan of this name, or it is a built-in plan's name."),
  },
});

const validatePlan = teamRoute("viewer", {
  method: "post",
  path: "/api/v1/teams/{team}/plans/validate",
  tags: ["Plans"],
  summary: "Check a plan without saving it",
  request: { params: TeamParams, ...planBody },
  responses: { 200: jsonResponse(ValidationSchema, "Whether the plan is valid, each problem, and the plan as releases would use it.") },
});

const getPlan = teamRoute("viewer", {
  method: "get",
  path: "/api/v1/teams/{team}/plans/{plan}",
  tags: ["Plans"],
  summary: "Show a plan",
  request: { params: PlanParams },
  responses: { 200: jsonResponse(StoredPlanSchema, "The plan, the team's or a built-in one.") },
});

const putPlan = teamRoute("deployer", {
  method: "put",
  path: "/api/v1/teams/{team}/plans/{plan}",
  tags: ["Plans"],
  summary: "Create or replace a plan",
  description:
    "Replaces the whole document and adds one to the revision; creates the plan when the team has none of this name. The document's `name` may be left out; when given it must be the name in the path.",
  request: { params: PlanParams, ...planBody },
  responses: {
    200: jsonResponse(StoredPlanSchema, "The replaced plan."),
    201: jsonResponse(StoredPlanSchema, "The new plan."),
    409: problem("Built-in plans cannot be changed."),
  },
});

const deletePlan = teamRoute("admin", {
  method: "delete",
  path: "/api/v1/teams/{team}/plans/{plan}",
  tags: ["Plans"],
  summary: "Delete a plan",
  description: "Releases keep the plan they started with; targets that had it as their default have none afterwards.",
  request: { params: PlanParams },
  responses: {
    204: { description: "Deleted." },
    409: problem("Built-in plans cannot be deleted."),
  },
});

export function planRoutes(app: OpenAPIHono<ServerEnv>): void {
  app.openapi(listPlans, async (c) => {
    const stored = await store(c).plans(c.var.access.team.id);
    return c.json({ plans: [...Object.values(BUILTIN_PLANS).map(builtInView), ...stored.map(planView)] }, 200);
  });

  app.openapi(validatePlan, async (c) => {
    const read = await readPlanBody(c);
    const { plan, problems } = "problem" in read ? { plan: undefined, problems: [read.problem] } : checkPlanDocument(read.document);
    return c.json(plan ? { valid: true, errors: [], plan: { ...plan } } : { valid: false, errors: problems, plan: null }, 200);
  });

  app.openapi(createPlan, async (c) => {
    const document = await planBodyOrThrow(c);
    const plan = validOrThrow(document);
    refuseBuiltInName(plan.name);
    const { services, access } = c.var;
    const now = new Date(services.clock.now());
    const created = await store(c).createPlan({ id: randomUUID(), teamId: access.team.id, name: plan.name, document, revision: 1, createdAt: now, updatedAt: now });
    if (created === "name_taken") throw conflict(`the team already has a plan named ${plan.name}; change it with PUT /plans/${plan.name}, or choose another name`);
    await recordAudit(c, { action: "plan.create", objectId: created.id, details: { name: plan.name, revision: 1 } });
    return c.json(planView(created), 201);
  });

  app.openapi(getPlan, async (c) => {
    const name = c.req.valid("param").plan;
    if (Object.hasOwn(BUILTIN_PLANS, name)) return c.json(builtInView(BUILTIN_PLANS[name]!), 200);
    const stored = await store(c).plan(c.var.access.team.id, name);
    if (!stored) throw notFound(`plan ${name}`);
    return c.json(planView(stored), 200);
  });

  app.openapi(putPlan, async (c) => {
    const name = c.req.valid("param").plan;
    refuseBuiltInName(name);
    const given = await planBodyOrThrow(c);
    if (given.name !== undefined && given.name !== name) {
      const message = `must be ${JSON.stringify(name)}, the name in the path, or left out; to rename a plan, save it under the new name and delete this one`;
      throw badRequest(`the body is invalid: body.name: ${message}`, [{ field: "body.name", message }]);
    }
    const document = { ...given, name };
    validOrThrow(document);
    const { services, access } = c.var;
    const now = new Date(services.clock.now());
    const plans = store(c);
    const updated = await plans.updatePlan(access.team.id, name, document, now);
    if (updated) {
      await recordAudit(c, { action: "plan.update", objectId: updated.id, details: { name, revision: updated.revision } });
      return c.json(planView(updated), 200);
    }
    const created = await plans.createPlan({ id: randomUUID(), teamId: access.team.id, name, document, revision: 1, createdAt: now, updatedAt: now });
    if (created === "name_taken") throw conflict(`plan ${name} was created by someone else just now; read it and try again`);
    await recordAudit(c, { action: "plan.create", objectId: created.id, details: { name, revision: 1 } });
    return c.json(planView(created), 201);
  });

  app.openapi(deletePlan, async (c) => {
    const name = c.req.valid("param").plan;
    if (Object.hasOwn(BUILTIN_PLANS, name)) throw conflict(`${name} is a built-in plan; built-in plans cannot be deleted`);
    const deleted = await store(c).deletePlan(c.var.access.team.id, name);
    if (!deleted) throw notFound(`plan ${name}`);
    await recordAudit(c, { action: "plan.delete", objectId: deleted.id, details: { name, revision: deleted.revision } });
    return c.body(null, 204);
  });
}

const store = (c: Context<ServerEnv>) => new ConfigStore(c.var.services.db);

/**
 * The plan a release of the team would run under this name: the team's own plan, else a built-in
 * one; undefined when there is neither, a PlanError when the stored document no longer parses.
 */
export async function findPlan(plans: ConfigStore, teamId: string, name: string): Promise<{ plan: Plan; revision: number; builtIn: boolean } | PlanError | undefined> {
  const stored = await plans.plan(teamId, name);
  if (stored) {
    const plan = parsePlan(stored.document);
    return plan instanceof PlanError ? plan : { plan, revision: stored.revision, builtIn: false };
  }
  return Object.hasOwn(BUILTIN_PLANS, name) ? { plan: BUILTIN_PLANS[name]!, revision: 1, builtIn: true } : undefined;
}

/** The parsed plan, or every problem with the field it is in. */
function validOrThrow(document: Record<string, unknown>): Plan {
  const { plan, problems } = checkPlanDocument(document);
  if (plan) return plan;
  throw badRequest(`the plan is invalid: ${problems.map((f) => `${f.field}: ${f.message}`).join("; ")}`, problems);
}

function refuseBuiltInName(name: string): void {
  const problem = builtInNameProblem(name);
  if (problem) throw conflict(problem);
}

function planView(stored: StoredPlan) {
  return {
    id: stored.id,
    name: stored.name,
    builtIn: false,
    revision: stored.revision,
    document: stored.document,
    createdAt: iso(stored.createdAt),
    updatedAt: iso(stored.updatedAt),
  };
}

function builtInView(plan: Plan) {
  return {
    id: null,
    name: plan.name,
    builtIn: true,
    revision: 1,
    document: planToInput(plan) as Record<string, unknown>,
    createdAt: null,
    updatedAt: null,
  };
}
