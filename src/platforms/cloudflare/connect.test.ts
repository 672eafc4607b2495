import { describe, expect, it } from "vitest";
import { connectCloudflare } from "./connect.js";
import { GraphqlAnalyticsSource } from "./graphql-analytics.js";
import { ObservabilitySource } from "./observability.js";
import { ACCOUNT_ID, simulatedWorker, TOKEN, WORKER } from "./test-harness.js";

describe("connectCloudflare", () => {
  it("connects the target and the chosen metrics source to the same Worker", async () => {
    const { sim, clock, versionIds } = await simulatedWorker();
    const options = { accountId: ACCOUNT_ID, worker: WORKER, apiToken: TOKEN, apiBaseUrl: `${sim.url}/`, clock };

    const graphql = connectCloudflare({ ...options, metrics: "graphql" });
    expect(graphql.metrics).toBeInstanceOf(GraphqlAnalyticsSource);
    expect(await graphql.target.currentSplit()).toEqual([{ version: versionIds[0], percent: 100 }]);

    expect(connectCloudflare({ ...options, metrics: "observability" }).metrics).toBeInstanceOf(ObservabilitySource);
  });
});
