import { describe, expect, it } from "vitest";
import { behaviour } from "../behaviour.test-support.js";
import { ACCOUNT_ID, SCRIPT, type SimulatorFixture, startFixture, virtualClock } from "../test-harness.js";
import { compactDuration } from "./time-range-limits.js";

const BY_VERSION_AND_STATUS = `
query($accountTag: string!, $scriptName: string!, $start: Time!, $end: Time!) {
  viewer { accounts(filter: {accountTag: $accountTag}) {
    workersInvocationsAdaptive(limit: 1000, filter: {scriptName: $scriptName, datetime_geq: $start, datetime_lt: $end}) {
      dimensions { scriptVersion status }
      sum { requests errors subrequests }
      quantiles { wallTimeP50 wallTimeP90 wallTimeP99 wallTimeP999 cpuTimeP50 cpuTimeP99 }
      avg { sampleInterval }
    } } } }`;

interface Row {
  dimensions: { scriptVersion: string; status: string };
  sum: { requests: number; errors: number; subrequests: number };
  quantiles: Record<string, number>;
  avg: { sampleInterval: number };
}

interface Answer {
  data: { viewer: { accounts: { workersInvocationsAdaptive: Row[] }[] } } | null;
  errors?: { message: string; path?: string[]; extensions?: { code: string } }[];
}

/** Asks through the real SDK, as Glidepath's GraphQL source does. */
async function ask(fixture: SimulatorFixture, query: string, start: number, end: number): Promise<Answer> {
  const variables = { accountTag: ACCOUNT_ID, scriptName: SCRIPT, start: new Date(start).toISOString(), end: new Date(end).toISOString() };
  return fixture.client.post<Answer>("/graphql", { body: { query, variables } });
}

/** Asks without the SDK, which throws on an error status, to see the status and the body. */
async function askRaw(fixture: SimulatorFixture, query: string, start: number, end: number): Promise<{ status: number; answer: Answer }> {
  const variables = { accountTag: ACCOUNT_ID, scriptName: SCRIPT, start: new Date(start).toISOString(), end: new Date(end).toISOString() };
  const response = await fixture.api("/graphql", { method: "POST", body: JSON.stringify({ query, variables }) });
  return { status: response.status, answer: (await response.json()) as Answer };
}

const STABLE = behaviour({ errorRate: 0.01, latencyMs: { p50: 20, p99: 100 }, subrequestsPerRequest: 2 });
const CANDIDATE = behaviour({ errorRate: 0.1, latencyMs: { p50: 50, p99: 400 } });

async function rollingOut(options: { lagSeconds?: number; sampleInterval?: number } = {}) {
  const clock = virtualClock();
  const fixture = await startFixture({ clock, seed: 42, ...options }, { rps: 200, versions: [{ behaviour: STABLE }, { behaviour: CANDIDATE }] });
  const [stable, candidate] = fixture.versionIds as [string, string];
  fixture.sim.control.deployByHand(SCRIPT, [
    { version_id: stable, percentage: 70 },
    { version_id: candidate, percentage: 30 },
  ]);
  const start = Math.ceil(clock.now() / 1000) * 1000 + 1000;
  clock.advanceSeconds(302);
  return { fixture, clock, stable, candidate, start, end: start + 300_000 };
}

function totalsByVersion(rows: Row[]) {
  const totals = new Map<string, { requests: number; errors: number; subrequests: number; success?: Row }>();
  for (const row of rows) {
    const entry = totals.get(row.dimensions.scriptVersion) ?? { requests: 0, errors: 0, subrequests: 0 };
    entry.requests += row.sum.requests;
    entry.errors += row.sum.errors;
    entry.subrequests += row.sum.subrequests;
    if (row.dimensions.status === "success") entry.success = row;
    totals.set(row.dimensions.scriptVersion, entry);
  }
  return totals;
}

describe("GraphQL Analytics: workersInvocationsAdaptive", () => {
  it("counts each version's requests, errors and latency as its behaviour says", async () => {
    const { fixture, stable, candidate, start, end } = await rollingOut();
    const answer = await ask(fixture, BY_VERSION_AND_STATUS, start, end);
    expect(answer.errors).toBeUndefined();
    const totals = totalsByVersion(answer.data!.viewer.accounts[0]!.workersInvocationsAdaptive);

    const expected = 200 * 300;
    for (const [version, share, errorRate, { p50, p99 }] of [
      [stable, 0.7, 0.01, { p50: 20, p99: 100 }],
      [candidate, 0.3, 0.1, { p50: 50, p99: 400 }],
    ] as const) {
      const { requests, errors, success } = totals.get(version)!;
      expect(requests / expected).toBeCloseTo(share, 1);
      expect(errors / requests).toBeCloseTo(errorRate, 2);
      expect(success!.quantiles.wallTimeP50! / 1000).toBeGreaterThan(p50 * 0.93);
      expect(success!.quantiles.wallTimeP50! / 1000).toBeLessThan(p50 * 1.07);
      expect(success!.quantiles.wallTimeP99! / 1000).toBeGreaterThan(p99 * 0.9);
      expect(success!.quantiles.wallTimeP99! / 1000).toBeLessThan(p99 * 1.1);
      expect(success!.avg.sampleInterval).toBe(1);
    }
    expect(totals.get(stable)!.subrequests / totals.get(stable)!.requests).toBeCloseTo(2, 1);
  });

  it("answers only the fields asked for, under their aliases, grouped by the dimensions asked for", async () => {
    const { fixture, start, end } = await rollingOut();
    const answer = await ask(
      fixture,
      `query($accountTag: string!, $scriptName: string!, $start: Time!, $end: Time!) {
        viewer { accounts(filter: {accountTag: $accountTag}) {
          all: workersInvocationsAdaptive(limit: 10, filter: {scriptName: $scriptName, datetime_geq: $start, datetime_lt: $end}) {
            sum { total: requests } } } } }`,
      start,
      end,
    );
    const rows = answer.data!.viewer.accounts[0]! as unknown as { all: { sum: { total: number } }[] };
    expect(rows.all).toHaveLength(1);
    expect(Object.keys(rows.all[0]!.sum)).toEqual(["total"]);
    expect(rows.all[0]!.sum.total / 60_000).toBeCloseTo(1, 1);
  });

  it("answers an unknown field with a GraphQL error, no data and HTTP 400", async () => {
    const { fixture, start, end } = await rollingOut();
    const { status, answer } = await askRaw(fixture, BY_VERSION_AND_STATUS.replace("sum { requests", "sum { requests bytesOut"), start, end);
    expect(status).toBe(400);
    expect(answer.data).toBeNull();
    expect(answer.errors![0]!.message).toBe('unknown field "bytesOut"');
    expect(answer.errors![0]!.path).toEqual(["viewer", "accounts", "0", "workersInvocationsAdaptive", "sum", "bytesOut"]);
  });

  it("answers a query that does not parse with a GraphQL error and HTTP 400", async () => {
    const { fixture, start, end } = await rollingOut();
    const { status, answer } = await askRaw(fixture, "query { viewer {", start, end);
    expect(status).toBe(400);
    expect(answer.data).toBeNull();
    expect(answer.errors![0]!.message).toMatch(/Syntax Error/);
  });

  it("takes 300 queries in five minutes from one token, then answers 429 until the oldest is five minutes old", async () => {
    const { fixture, clock, start, end } = await rollingOut();
    for (let query = 0; query < 300; query++) expect((await askRaw(fixture, BY_VERSION_AND_STATUS, start, end)).status).toBe(200);
    const depleted = await askRaw(fixture, BY_VERSION_AND_STATUS, start, end);
    expect(depleted).toEqual({ status: 429, answer: { data: null, errors: [{ message: "rate limiter budget depleted, try again after 5 minutes", path: [] }] } });
    clock.advanceSeconds(300);
    expect((await askRaw(fixture, BY_VERSION_AND_STATUS, start, end)).status).toBe(200);
  });

  it("answers no accounts for an account the token cannot see", async () => {
    const { fixture, start, end } = await rollingOut();
    const answer = await fixture.client.post<Answer>("/graphql", {
      body: {
        query: BY_VERSION_AND_STATUS,
        variables: { accountTag: "f".repeat(32), scriptName: SCRIPT, start: new Date(start).toISOString(), end: new Date(end).toISOString() },
      },
    });
    expect(answer.data!.viewer.accounts).toEqual([]);
  });

  it("needs the API token like every API route", async () => {
    const { fixture } = await rollingOut();
    const response = await fixture.api("/graphql", {
      method: "POST",
      body: JSON.stringify({ query: BY_VERSION_AND_STATUS }),
      headers: { authorization: "Bearer wrong" },
    });
    expect(response.status).toBe(403);
  });

  it("hides the seconds still inside the lag", async () => {
    const { fixture, clock, start } = await rollingOut({ lagSeconds: 60 });
    const now = clock.now();
    const rows = async (from: number, to: number) => (await ask(fixture, BY_VERSION_AND_STATUS, from, to)).data!.viewer.accounts[0]!.workersInvocationsAdaptive;

    expect(await rows(now - 60_000, now)).toEqual([]);
    expect((await rows(start, now - 60_000)).length).toBeGreaterThan(0);
    clock.advanceSeconds(60);
    expect((await rows(now - 60_000, now)).length).toBeGreaterThan(0);
  });

  it("with sampling, reports the sample interval and sums that estimate the true counts", async () => {
    const { fixture, stable, start, end } = await rollingOut({ sampleInterval: 10 });
    const rows = (await ask(fixture, BY_VERSION_AND_STATUS, start, end)).data!.viewer.accounts[0]!.workersInvocationsAdaptive;
    const success = rows.find((row) => row.dimensions.scriptVersion === stable && row.dimensions.status === "success")!;
    expect(success.avg.sampleInterval).toBe(10);
    expect(success.sum.requests % 10).toBe(0);
    expect(totalsByVersion(rows).get(stable)!.requests / (0.7 * 60_000)).toBeCloseTo(1, 1);
  });
});

describe("GraphQL Analytics: time range limits", () => {
  const DAY = 86_400_000;
  const WEEK = 7 * DAY;

  /** A simulator that keeps eight days of traffic, at a time when none has been generated yet. */
  async function keepingEightDays() {
    const clock = virtualClock();
    const fixture = await startFixture({ clock, retentionSeconds: 8 * 86_400 }, { rps: 10 });
    return { fixture, now: clock.now() };
  }

  const quota = (message: string) => ({
    data: null,
    errors: [{ message, path: ["viewer", "accounts", "0", "workersInvocationsAdaptive"], extensions: { code: "quota" } }],
  });

  it("answers a range of one week", async () => {
    const { fixture, now } = await keepingEightDays();
    const answer = await ask(fixture, BY_VERSION_AND_STATUS, now - WEEK, now);
    expect(answer.errors).toBeUndefined();
    expect(answer.data!.viewer.accounts[0]!.workersInvocationsAdaptive).toEqual([]);
  });

  it("refuses a range wider than one week, with HTTP 400, no data and a quota error", async () => {
    const { fixture, now } = await keepingEightDays();
    expect(await askRaw(fixture, BY_VERSION_AND_STATUS, now - WEEK - 1000, now)).toEqual({ status: 400, answer: quota("cannot request a time range wider than 1w") });
  });

  it("refuses data older than the simulator keeps, in the same way", async () => {
    const { fixture, clock, start } = await rollingOut();
    const now = clock.now();
    expect(now - start).toBeLessThan(3_600_000);
    expect((await ask(fixture, BY_VERSION_AND_STATUS, now - 3_600_000, now)).errors).toBeUndefined();
    expect(await askRaw(fixture, BY_VERSION_AND_STATUS, now - 3_601_000, now)).toEqual({ status: 400, answer: quota("cannot request data older than 1h") });
  });

  it("writes a limit in weeks, days, hours, minutes and seconds, as Cloudflare does", () => {
    expect([604_800, 2_678_400, 3600, 90_061, 0].map(compactDuration)).toEqual(["1w", "4w3d", "1h", "1d1h1m1s", "0s"]);
  });
});
