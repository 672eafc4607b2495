import { Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { ApiFailure, noRoute } from "../api-errors.js";
import type { FaultInjector } from "../faults.js";
import type { AccountTraffic } from "../traffic/traffic-record.js";
import type { WorkersState } from "../workers-state.js";
import { requireApiToken } from "./auth.js";
import { type Deploy, deploymentsRoutes } from "./deployments-routes.js";
import { failureEnvelope } from "./envelope.js";
import { graphqlRoute } from "./graphql-route.js";
import { telemetryRoute } from "./telemetry-route.js";
import { versionsRoutes } from "./versions-routes.js";

export interface CloudflareApiOptions {
  state: WorkersState;
  deploy: Deploy;
  /** What GraphQL Analytics and Observability telemetry answer from. */
  traffic: AccountTraffic;
  faults: FaultInjector;
  now: () => number;
  /** When set, every request needs `Authorization: Bearer <token>`. */
  token?: string;
}

/** The simulated API, to be mounted at /client/v4: injected faults first, then the token, then the routes. */
export function createCloudflareApi(options: CloudflareApiOptions): Hono {
  const app = new Hono();

  app.onError((error, c) => {
    const failure = error instanceof ApiFailure ? error : new ApiFailure(500, 10013, error.message);
    return c.json(failureEnvelope(failure.errors), failure.status as ContentfulStatusCode, failure.headers);
  });
  app.use("*", async (_c, next) => {
    if (options.faults.extraLatencyMs > 0) await new Promise((resolve) => setTimeout(resolve, options.faults.extraLatencyMs));
    const failure = options.faults.take(options.now());
    if (failure) throw failure;
    await next();
  });
  if (options.token !== undefined) app.use("*", requireApiToken(options.token));

  app.route("/", versionsRoutes(options.state));
  app.route("/", deploymentsRoutes(options.state, options.deploy));
  app.route("/", graphqlRoute(options.traffic, options.now));
  app.route("/", telemetryRoute(options.traffic, options.now));
  app.all("*", (c) => {
    throw noRoute(c.req.path);
  });
  return app;
}
