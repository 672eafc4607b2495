import { Hono } from "hono";
import { authenticationError } from "../api-errors.js";
import { answerTelemetryQuery } from "../telemetry/telemetry-query.js";
import type { AccountTraffic } from "../traffic/traffic-record.js";
import { successEnvelope } from "./envelope.js";
import { jsonBody } from "./request-context.js";

/** `POST /accounts/:account_id/workers/observability/telemetry/query`, in Cloudflare's envelope. */
export function telemetryRoute(traffic: AccountTraffic, now: () => number): Hono {
  const app = new Hono();
  app.post("/accounts/:account_id/workers/observability/telemetry/query", async (c) => {
    const accountId = c.req.param("account_id");
    if (!traffic.hasAccount(accountId)) throw authenticationError();
    const secondsBetween = (fromMs: number, toMs: number) => traffic.visibleSeconds(accountId, fromMs, toMs);
    return c.json(successEnvelope(answerTelemetryQuery(await jsonBody(c), secondsBetween, now())));
  });
  return app;
}
