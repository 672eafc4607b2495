import { type Context, Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { z } from "zod";
import { ControlError } from "../control-error.js";
import type { SimulatorControl } from "../simulator-control.js";
import {
  apiLatencySchema,
  behaviourChangeSchema,
  faultSchema,
  handDeploymentSchema,
  metricsDeliverySchema,
  newScriptSchema,
  newVersionSchema,
  rpsSchema,
} from "./control-schemas.js";
import { workerProbeRoute } from "./worker-probe-route.js";

/** The control API under /__sim: JSON in and out, no authentication, the same operations as `SimulatorControl`. */
export function controlRoutes(sim: SimulatorControl): Hono {
  const app = new Hono();

  app.onError((error, c) => {
    const status: ContentfulStatusCode = error instanceof ControlError ? error.status : 500;
    return c.json({ error: { message: error.message } }, status);
  });

  app.post("/scripts", async (c) => c.json(sim.createScript(await bodyOf(c, newScriptSchema)), 201));

  app.get("/scripts/:script", (c) => c.json(sim.describeScript(c.req.param("script"))));

  app.post("/scripts/:script/versions", async (c) => c.json(sim.addVersion(c.req.param("script"), await bodyOf(c, newVersionSchema)), 201));

  app.patch("/scripts/:script/versions/:version_id/behaviour", async (c) =>
    c.json(sim.changeBehaviour(c.req.param("script"), c.req.param("version_id"), await bodyOf(c, behaviourChangeSchema))),
  );

  app.put("/scripts/:script/rps", async (c) => {
    const { rps } = await bodyOf(c, rpsSchema);
    sim.setRps(c.req.param("script"), rps);
    return c.json({ rps });
  });

  app.post("/scripts/:script/deployments", async (c) => {
    const { versions, message } = await bodyOf(c, handDeploymentSchema);
    return c.json(sim.deployByHand(c.req.param("script"), versions, message), 201);
  });

  app.get("/scripts/:script/deployments/history", (c) => c.json({ deployments: sim.deploymentHistory(c.req.param("script")) }));

  app.post("/faults", async (c) => {
    sim.injectFault(await bodyOf(c, faultSchema));
    return c.body(null, 204);
  });

  app.delete("/faults", (c) => {
    sim.clearFaults();
    return c.body(null, 204);
  });

  app.put("/api-latency", async (c) => {
    sim.setApiLatency((await bodyOf(c, apiLatencySchema)).ms);
    return c.body(null, 204);
  });

  app.put("/metrics-delivery", async (c) => c.json(sim.setMetricsDelivery(await bodyOf(c, metricsDeliverySchema))));

  app.route("/", workerProbeRoute(sim));

  return app;
}

async function bodyOf<Schema extends z.ZodType>(c: Context, schema: Schema): Promise<z.infer<Schema>> {
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    throw new ControlError("the body must be JSON");
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".") || "body"}: ${issue.message}`);
    throw new ControlError(`invalid body: ${problems.join("; ")}`);
  }
  return parsed.data;
}
