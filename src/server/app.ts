import { OpenAPIHono } from "@hono/zod-openapi";
import { HTTPException } from "hono/http-exception";
import type { ZodError } from "zod";
import { pingDatabase } from "../store/database.js";
import { describeDatabaseError, isQueryError } from "../store/database-errors.js";
import { OUTAGE_RETRY_AFTER_SECONDS } from "./database-outage.js";
import { mountApiDocs } from "./api-docs.js";
import { authenticate, resolveTeam } from "./auth/authenticate.js";
import type { ServerEnv, Services } from "./context.js";
import { HttpProblem, type FieldProblem } from "./problems.js";
import { mountDashboard } from "./dashboard.js";
import { mountSetupPage } from "./setup-page.js";
import { ROUTE_GROUPS } from "./routes/index.js";

export type ServerApp = OpenAPIHono<ServerEnv>;

const TARGET_NAMES: Record<string, string> = { json: "body", param: "path", query: "query", header: "header", cookie: "cookie" };
/** Paths anyone may call: signing in, first-start setup, the API's own description. */
const PUBLIC_API_PATHS = new Set(["/api/v1/session", "/api/v1/setup", "/api/v1/openapi.json"]);

/** The HTTP API: every route validated by its zod schema, which also writes the OpenAPI document. */
export function createApp(services: Services, { dashboardDir }: { dashboardDir?: string } = {}): ServerApp {
  const app = new OpenAPIHono<ServerEnv>({ defaultHook: answerInvalidInput });

  app.use("*", async (c, next) => {
    c.set("services", services);
    await next();
  });
  app.use("/api/v1/*", async (c, next) => {
    // A command's body is optional: `POST .../approve` with a JSON content type and no body is
    // a command without a reason, not malformed JSON.
    const length = c.req.header("content-length");
    if (length === "0" || (length === undefined && c.req.header("transfer-encoding") === undefined)) c.req.raw.headers.delete("content-type");
    await next();
  });
  app.use("/api/v1/*", async (c, next) => {
    const isPublic = PUBLIC_API_PATHS.has(c.req.path) && (c.req.path !== "/api/v1/session" || c.req.method === "POST");
    return isPublic ? next() : authenticate(c, next);
  });
  app.use("/api/v1/teams/:team/*", resolveTeam);
  app.use("/api/v1/teams/:team", resolveTeam);

  registerApi(app);
  app.doc31("/api/v1/openapi.json", API_DOCUMENT);
  mountApiDocs(app);
  mountSetupPage(app);
  app.get("/healthz", async (c) => {
    const failure = await pingDatabase(services.db);
    if (!failure) {
      await services.outage.check();
      return c.json({ status: "ok" }, 200);
    }
    services.outage.failed(failure);
    return c.json({ status: "unavailable", error: failure.message }, 503);
  });
  app.get("/metrics", async (c) => {
    const { registry } = services.metrics;
    return c.body(await registry.metrics(), 200, { "content-type": registry.contentType });
  });
  mountDashboard(app, dashboardDir);

  app.notFound((c) => c.json(new HttpProblem(404, "not_found", `no route ${c.req.method} ${c.req.path}`).body(), 404));
  app.onError((error, c) => {
    if (error instanceof HttpProblem) return c.json(error.body(), error.status, error.headers);
    if (error instanceof HTTPException) {
      const problem = new HttpProblem(error.status === 413 ? 413 : 400, "invalid_request", error.message || "the request is malformed");
      return c.json(problem.body(), problem.status);
    }
    if (services.outage.failed(error)) {
      const problem = new HttpProblem(503, "unavailable", "the database does not answer; try again in a few seconds");
      return c.json(problem.body(), problem.status, { "retry-after": String(OUTAGE_RETRY_AFTER_SECONDS) });
    }
    // A failed query's stack starts with its message, parameters and all: log the driver's words instead.
    const detail = error instanceof Error && !isQueryError(error) ? (error.stack ?? error.message) : describeDatabaseError(error);
    services.log(`${c.req.method} ${c.req.path} failed: ${detail}`);
    return c.json({ error: { code: "internal", message: "the server failed on this request; it is logged" } }, 500);
  });
  return app;
}

const API_DOCUMENT = {
  openapi: "3.1.0",
  info: {
    title: "Glidepath API",
    version: "1",
    description: "Gradual deployments that check SLOs at every stage and roll back by themselves.",
  },
} as const;

/** Every API route and its security schemes, so the app and the standalone document agree. */
function registerApi(app: OpenAPIHono<ServerEnv>): void {
  app.openAPIRegistry.registerComponent("securitySchemes", "bearerToken", {
    type: "http",
    scheme: "bearer",
    description: "A team API token, `gp_...`, made under the team's tokens.",
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "sessionCookie", {
    type: "apiKey",
    in: "cookie",
    name: "glidepath_session",
    description: "The dashboard's session; writes also need the X-CSRF-Token header.",
  });
  for (const register of ROUTE_GROUPS) register(app);
}

/** The OpenAPI document without a running server: for generating the dashboard's API types. */
export function apiDocument() {
  const app = new OpenAPIHono<ServerEnv>();
  registerApi(app);
  return app.getOpenAPI31Document(API_DOCUMENT);
}

function answerInvalidInput(result: { target: string; success: boolean; error?: ZodError }) {
  if (result.success || !result.error) return;
  const where = TARGET_NAMES[result.target] ?? result.target;
  const fieldAt = (path: PropertyKey[]) => [where, ...path.map((key) => (typeof key === "number" ? `[${key}]` : `.${String(key)}`))].join("");
  const fields: FieldProblem[] = result.error.issues.flatMap((issue) =>
    issue.code === "unrecognized_keys"
      ? issue.keys.map((key) => ({ field: fieldAt([...issue.path, key]), message: "unknown field" }))
      : [{ field: fieldAt(issue.path), message: issue.message }],
  );
  throw new HttpProblem(400, "invalid_request", `the ${where} is invalid: ${fields.map((f) => `${f.field}: ${f.message}`).join("; ")}`, fields);
}
