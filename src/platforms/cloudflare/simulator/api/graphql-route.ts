import { Hono } from "hono";
import { type AnalyticsSource, answerAnalyticsQuery, type GraphqlRequest } from "../analytics/analytics-query.js";
import { jsonBody } from "./request-context.js";

/** `POST /graphql`: a plain GraphQL answer `{data, errors}`, HTTP 200 even when it carries errors. */
export function graphqlRoute(source: AnalyticsSource): Hono {
  const app = new Hono();
  app.post("/graphql", async (c) => {
    const body = (await jsonBody(c)) as GraphqlRequest | null;
    return c.json(answerAnalyticsQuery(body ?? {}, source));
  });
  return app;
}
