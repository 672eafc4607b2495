import { describe, expect, it } from "vitest";
import { cloudflareOptionsFromConfig, connectCloudflare } from "./connect.js";
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

describe("cloudflareOptionsFromConfig", () => {
  const config = { accountId: ACCOUNT_ID, worker: WORKER, metrics: "observability" };

  it("reads a release's target config and the token given at run time", () => {
    expect(cloudflareOptionsFromConfig({ ...config, apiBaseUrl: "http://127.0.0.1:8787/client/v4", metricsLagSeconds: "90" }, TOKEN)).toEqual({
      accountId: ACCOUNT_ID,
      worker: WORKER,
      apiToken: TOKEN,
      metrics: "observability",
      apiBaseUrl: "http://127.0.0.1:8787/client/v4",
      lagSeconds: 90,
    });
    expect(cloudflareOptionsFromConfig({ accountId: ACCOUNT_ID, worker: WORKER }, TOKEN).metrics).toBe("graphql");
  });

  it("says what is missing or wrong", () => {
    expect(() => cloudflareOptionsFromConfig({ worker: WORKER }, TOKEN)).toThrow("a cloudflare target needs the account id (config.accountId, --account-id)");
    expect(() => cloudflareOptionsFromConfig({ accountId: ACCOUNT_ID }, TOKEN)).toThrow("a cloudflare target needs the Worker's name (config.worker, --worker)");
    expect(() => cloudflareOptionsFromConfig(config, undefined)).toThrow(/^a cloudflare target needs an API token: set CLOUDFLARE_API_TOKEN/);
    expect(() => cloudflareOptionsFromConfig({ ...config, metrics: "prometheus" }, TOKEN)).toThrow('unknown Cloudflare metrics source "prometheus"; known: graphql, observability');
    expect(() => cloudflareOptionsFromConfig({ ...config, metricsLagSeconds: "soon" }, TOKEN)).toThrow('config.metricsLagSeconds must be a number of seconds, 0 or more, got "soon"');
  });
});
