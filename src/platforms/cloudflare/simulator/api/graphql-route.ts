import { Hono } from "hono";
import { answerAnalyticsQuery, type GraphqlRequest } from "../analytics/analytics-query.js";
import type { AccountTraffic } from "../traffic/traffic-record.js";
import { GraphqlBudget } from "./graphql-budget.js";
import { jsonBody } from "./request-context.js";

/**
 * `POST /graphql`: a plain GraphQL answer `{data, errors}`. A query that cannot be answered at all
 * (malformed, an unknown field, past a dataset's limits) is HTTP 400 and one past the caller's
 * budget 429, as Cloudflare's GraphQL error docs list them
 * (developers.cloudflare.com/analytics/graphql-api/errors/).
 */
export function graphqlRoute(traffic: AccountTraffic, now: () => number): Hono {
  const app = new Hono();
  const budget = new GraphqlBudget(now);
  app.post("/graphql", async (c) => {
    if (!budget.take(c.req.header("authorization") ?? "")) {
      return c.json({ data: null, errors: [{ message: "rate limiter budget depleted, try again after 5 minutes", path: [] }] }, 429);
    }
    const body = (await jsonBody(c)) as GraphqlRequest | null;
    const answer = answerAnalyticsQuery(body ?? {}, traffic);
    return c.json(answer, answer.data === null ? 400 : 200);
  });
  return app;
}
