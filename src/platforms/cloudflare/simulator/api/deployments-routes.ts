import { Hono } from "hono";
import { deploymentNotFound } from "../api-errors.js";
import { type DeploymentRequest, parseDeploymentRequest } from "../deployment-rules.js";
import { type SimulatedDeployment, toApiDeployment } from "../model.js";
import type { WorkersState } from "../workers-state.js";
import { successEnvelope } from "./envelope.js";
import { jsonBody, scriptOf } from "./request-context.js";

/** Deploys a checked request; the simulator first brings traffic up to now so earlier seconds keep the old split. */
export type Deploy = (script: string, request: DeploymentRequest) => SimulatedDeployment;

/** `GET .../deployments` (newest first, not paginated), `POST .../deployments` and `GET .../deployments/:deployment_id`. */
export function deploymentsRoutes(state: WorkersState, deploy: Deploy): Hono {
  const app = new Hono();
  const base = "/accounts/:account_id/workers/scripts/:script/deployments";

  app.get(base, (c) => {
    const script = scriptOf(c, state);
    return c.json(successEnvelope({ deployments: [...script.deployments].reverse().map(toApiDeployment) }));
  });

  app.post(base, async (c) => {
    const script = scriptOf(c, state);
    const request = parseDeploymentRequest(await jsonBody(c), script);
    if (request instanceof Error) throw request;
    return c.json(successEnvelope(toApiDeployment(deploy(script.name, request))));
  });

  app.get(`${base}/:deployment_id`, (c) => {
    const script = scriptOf(c, state);
    const deployment = script.deployments.find(({ id }) => id === c.req.param("deployment_id"));
    if (!deployment) throw deploymentNotFound();
    return c.json(successEnvelope(toApiDeployment(deployment)));
  });

  return app;
}
