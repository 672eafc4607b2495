import { Hono } from "hono";
import { authenticationError } from "../api-errors.js";
import { answerTelemetryQuery, type SecondsBetween } from "../telemetry/telemetry-query.js";
import { successEnvelope } from "./envelope.js";
import { jsonBody } from "./request-context.js";

export interface TelemetrySource {
  hasAccount(accountId: string): boolean;
  secondsOf(accountId: string): SecondsBetween;
  now(): number;
}

/** `POST /accounts/:account_id/workers/observability/telemetry/query`, in Cloudflare's envelope. */
export function telemetryRoute(source: TelemetrySource): Hono {
  const app = new Hono();
  app.post("/accounts/:account_id/workers/observability/telemetry/query", async (c) => {
    const accountId = c.req.param("account_id");
    if (!source.hasAccount(accountId)) throw authenticationError();
    return c.json(successEnvelope(answerTelemetryQuery(await jsonBody(c), source.secondsOf(accountId), source.now())));
  });
  return app;
}
