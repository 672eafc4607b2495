import { describe, expect, it } from "vitest";
import { CloudflareApi } from "./cloudflare-api.js";
import { GraphqlAnalyticsSource, INVOCATIONS_QUERY } from "./graphql-analytics.js";
import { ACCOUNT_ID, platformError, simulatedWorker, stubApi, TOKEN, WORKER } from "./test-harness.js";
import { VirtualClock } from "../../../test/support/virtual-clock.js";

const at = (time: string) => new Date(`2026-11-22T${time}Z`);
const DAY = 86_400_000;

async function sourceAnswering(body: unknown, status = 200) {
  const stub = await stubApi(() => ({ status, body }));
  const clock = new VirtualClock(at("03:10:00").getTime());
  const api = new CloudflareApi({ accountId: ACCOUNT_ID, worker: WORKER, apiToken: TOKEN, apiBaseUrl: stub.url });
  return { ...stub, clock, source: new GraphqlAnalyticsSource(api, { clock }) };
}

const rowsAnswer = (rows: unknown[]) => ({ data: { viewer: { accounts: [{ workersInvocationsAdaptive: rows }] } }, errors: null });

describe("GraphqlAnalyticsSource (against a stub)", () => {
  it("asks for the Worker's invocations by version and status, up to the settled end of the window", async () => {
    const { source, requests } = await sourceAnswering(
      rowsAnswer([{ dimensions: { scriptVersion: "v2", status: "success" }, sum: { requests: 40 }, quantiles: { wallTimeP50: 8000, wallTimeP90: 9000, wallTimeP99: 20000, wallTimeP999: 30000 } }]),
    );
    const samples = await source.query({ from: at("03:05:00"), to: at("03:10:00") }, ["v1", "v2"]);
    expect(samples).toEqual(
      new Map([
        ["v2", { requests: 40, errors: 0, latencyMs: { p50: 8, p90: 9, p99: 20, p999: 30 }, outcomes: [{ outcome: "success", class: "success", requests: 40, known: true }] }],
      ]),
    );
    expect(requests).toEqual([
      {
        method: "POST",
        path: "/client/v4/graphql",
        authorization: `Bearer ${TOKEN}`,
        body: {
          query: INVOCATIONS_QUERY,
          variables: { accountTag: ACCOUNT_ID, scriptName: WORKER, start: "2026-11-22T03:05:00.000Z", end: "2026-11-22T03:09:00.000Z" },
        },
      },
    ]);
  });

  it("asks for a window wider than a week in consecutive parts of at most a week, and counts their rows together", async () => {
    const { source, requests, clock } = await sourceAnswering(
      rowsAnswer([{ dimensions: { scriptVersion: "v1", status: "success" }, sum: { requests: 40 }, quantiles: { wallTimeP50: 8000 } }]),
    );
    const nineDaysBefore = new Date(clock.now() - 9 * DAY - 60_000);
    const samples = await source.query({ from: nineDaysBefore, to: at("03:09:00") }, ["v1"]);
    expect(samples.get("v1")).toMatchObject({ requests: 80, latencyMs: { p50: 8 } });
    const ranges = requests
      .map(({ body }) => (body as { variables: { start: string; end: string } }).variables)
      .map(({ start, end }) => ({ start, end }))
      .sort((a, b) => a.start.localeCompare(b.start));
    expect(ranges).toEqual([
      { start: "2026-11-13T03:09:00.000Z", end: "2026-11-20T03:09:00.000Z" },
      { start: "2026-11-20T03:09:00.000Z", end: "2026-11-22T03:09:00.000Z" },
    ]);
  });

  it("fails with GraphQL's own message when a 200 carries errors", async () => {
    const { source } = await sourceAnswering({ data: null, errors: [{ message: "cannot request data older than 2678400s", path: ["viewer"] }] });
    const error = await platformError(source.query({ from: at("03:00:00"), to: at("03:05:00") }, ["v1"]));
    expect(error.message).toBe("Cloudflare's GraphQL Analytics API refused the query: cannot request data older than 2678400s");
    expect(error.retryable).toBe(false);
  });

  it("fails with GraphQL's own message when the query is refused with HTTP 400, as Cloudflare's error docs list", async () => {
    const { source } = await sourceAnswering({ data: null, errors: [{ message: "cannot request data older than 2678400s", path: ["viewer"] }] }, 400);
    const error = await platformError(source.query({ from: at("03:00:00"), to: at("03:05:00") }, ["v1"]));
    expect(error.message).toContain("cannot request data older than 2678400s");
    expect(error.retryable).toBe(false);
  });

  it("tries again later when the token's query budget is spent", async () => {
    const { source } = await sourceAnswering({ data: null, errors: [{ message: "rate limiter budget depleted, try again after 5 minutes", path: [] }] }, 429);
    const error = await platformError(source.query({ from: at("03:00:00"), to: at("03:05:00") }, ["v1"]));
    expect(error.message).toBe("Cloudflare is rate limiting this API token (429 rate limiter budget depleted, try again after 5 minutes)");
    expect(error.retryable).toBe(true);
  });

  it("names the permission when the token cannot see the analytics", async () => {
    const { source } = await sourceAnswering({ data: null, errors: [{ message: "does not have access to the path" }] });
    const error = await platformError(source.query({ from: at("03:00:00"), to: at("03:05:00") }, ["v1"]));
    expect(error.message).toBe(
      "Cloudflare's GraphQL Analytics API refused the query: does not have access to the path; the API token needs Account Analytics Read",
    );
  });

  it("says when the account is not visible to the token", async () => {
    const { source } = await sourceAnswering({ data: { viewer: { accounts: [] } }, errors: null });
    const error = await platformError(source.query({ from: at("03:00:00"), to: at("03:05:00") }, ["v1"]));
    expect(error.message).toBe(
      `Cloudflare's GraphQL Analytics API shows no account ${ACCOUNT_ID} to this API token: check --account-id and that the token has Workers Scripts Edit and Account Analytics Read`,
    );
    expect(error.retryable).toBe(false);
  });

  it("does not ask for a window that has not settled yet", async () => {
    const { source, requests } = await sourceAnswering(rowsAnswer([]));
    const error = await platformError(source.query({ from: at("03:09:30"), to: at("03:10:00") }, ["v1"]));
    expect(error.message).toMatch(/^the metrics for this window are not in yet: Cloudflare's GraphQL Analytics API lags about 60s behind/);
    expect(error.retryable).toBe(true);
    expect(requests).toEqual([]);
  });
});

describe("GraphqlAnalyticsSource (against the simulator)", () => {
  it("reads a nine-day window, which Cloudflare would refuse in one query, as the sum of its parts", async () => {
    const worker = await simulatedWorker({ rps: 0.05, versions: [{}, {}] }, { retentionSeconds: 10 * 86_400 });
    const [stable, candidate] = worker.versionIds as [string, string];
    worker.control.deployByHand(WORKER, [
      { version_id: stable, percentage: 50 },
      { version_id: candidate, percentage: 50 },
    ]);
    const from = new Date(Math.ceil(worker.clock.now() / 1000) * 1000 + 1000);
    const to = new Date(from.getTime() + 9 * DAY);
    worker.clock.time = to.getTime() + 60_000;
    const source = new GraphqlAnalyticsSource(worker.api(), { clock: worker.clock });

    const samples = await source.query({ from, to }, [stable, candidate]);
    const halfway = new Date(from.getTime() + 4.5 * DAY);
    const halves = await Promise.all([source.query({ from, to: halfway }, [stable, candidate]), source.query({ from: halfway, to }, [stable, candidate])]);
    for (const version of [stable, candidate]) {
      expect(samples.get(version)!.requests).toBe(halves[0].get(version)!.requests + halves[1].get(version)!.requests);
      expect(samples.get(version)!.requests).toBeGreaterThan(0.05 * 0.5 * 9 * 86_400 * 0.9);
    }
  });
});
