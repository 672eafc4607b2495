import { Hono } from "hono";
import { answerAnalyticsQuery, type GraphqlRequest } from "../analytics/analytics-query.js";
import type { AccountTraffic } from "../traffic/traffic-record.js";
import { jsonBody } from "./request-context.js";

/** `POST /graphql`: a plain GraphQL answer `{data, errors}`, HTTP 200 even when it carries errors. */
export function graphqlRoute(traffic: AccountTraffic): Hono {
  const app = new Hono();
  app.post("/graphql", async (c) => {
    const body = (await jsonBody(c)) as GraphqlRequest | null;
    return c.json(answerAnalyticsQuery(body ?? {}, traffic));
  });
  return app;
}
