import { describe, expect, it } from "vitest";
import { behaviour } from "../behaviour.test-support.js";
import { ACCOUNT_ID, SCRIPT, startFixture, virtualClock } from "../test-harness.js";

const STABLE = behaviour({ errorRate: 0.02, latencyMs: { p50: 30, p99: 150 } });
const CANDIDATE = behaviour({ errorRate: 0.2, latencyMs: { p50: 60, p99: 300 } });

async function rollingOut(sampleInterval = 1) {
  const clock = virtualClock();
  const fixture = await startFixture({ clock, seed: 3, sampleInterval }, { rps: 100, versions: [{ behaviour: STABLE }, { behaviour: CANDIDATE }] });
  const [stable, candidate] = fixture.versionIds as [string, string];
  fixture.sim.control.deployByHand(SCRIPT, [
    { version_id: stable, percentage: 50 },
    { version_id: candidate, percentage: 50 },
  ]);
  const from = Math.ceil(clock.now() / 1000) * 1000 + 1000;
  clock.advanceSeconds(602);
  return { fixture, stable, candidate, from, to: from + 600_000 };
}

type Setup = Awaited<ReturnType<typeof rollingOut>>;

function query({ fixture, from, to }: Setup, outcome: "eq" | "neq") {
  return fixture.client.workers.observability.telemetry.query({
    account_id: ACCOUNT_ID,
    queryId: "test",
    timeframe: { from, to },
    view: "calculations",
    parameters: {
      datasets: ["cloudflare-workers"],
      filters: [
        { key: "$workers.scriptName", operation: "eq", type: "string", value: SCRIPT },
        { key: "$workers.outcome", operation: outcome, type: "string", value: "ok" },
      ],
      calculations: [
        { operator: "count", alias: "count" },
        { operator: "median", key: "$workers.wallTimeMs", keyType: "number", alias: "p50" },
        { operator: "p99", key: "$workers.wallTimeMs", keyType: "number", alias: "p99" },
      ],
      groupBys: [{ type: "string", value: "$workers.scriptVersion.id" }],
    },
  });
}

function byVersion(calculation: { aggregates: { value: number; sampleInterval: number; groups?: { value: unknown }[] }[] }) {
  return new Map(calculation.aggregates.map((aggregate) => [String(aggregate.groups![0]!.value), aggregate]));
}

describe("Workers Observability: telemetry query, calculations view", () => {
  it("counts events and wall-time quantiles (ms) per version as the behaviours say", async () => {
    const setup = await rollingOut();
    const ok = await query(setup, "eq");
    const failed = await query(setup, "neq");
    const [count, p50, p99] = ok.calculations!;
    expect(count!.calculation).toBe("count");
    expect(p99!.calculation).toBe("p99($workers.wallTimeMs)");

    for (const [version, errorRate, latency] of [
      [setup.stable, 0.02, { p50: 30, p99: 150 }],
      [setup.candidate, 0.2, { p50: 60, p99: 300 }],
    ] as const) {
      const succeeded = byVersion(count!).get(version)!.value;
      const errors = byVersion(failed.calculations![0]!).get(version)!.value;
      expect(succeeded + errors).toBeGreaterThan(30_000 * 0.95);
      expect(succeeded + errors).toBeLessThan(30_000 * 1.05);
      expect(errors / (succeeded + errors)).toBeCloseTo(errorRate, 2);
      expect(byVersion(p50!).get(version)!.value / latency.p50).toBeCloseTo(1, 1);
      expect(byVersion(p99!).get(version)!.value / latency.p99).toBeCloseTo(1, 1);
    }
  });

  it("with sampling, counts sampled events and reports the interval to scale them by", async () => {
    const setup = await rollingOut(4);
    const ok = await query(setup, "eq");
    const aggregate = byVersion(ok.calculations![0]!).get(setup.stable)!;
    expect(aggregate.sampleInterval).toBe(4);
    expect((aggregate.value * aggregate.sampleInterval) / (30_000 * 0.98)).toBeCloseTo(1, 1);
  });

  it("puts the events in a series over the timeframe", async () => {
    const setup = await rollingOut();
    const [count] = (await query(setup, "eq")).calculations!;
    expect(count!.series).toHaveLength(60);
    expect(count!.series[0]!.time).toBe(new Date(setup.from).toISOString());
    expect(count!.series[0]!.data).toHaveLength(2);
  });

  it("groups by version and outcome, and filters with in", async () => {
    const setup = await rollingOut();
    // Raw HTTP: the SDK types a filter's value as one scalar, but `in` takes a list.
    const response = await setup.fixture.api(`/accounts/${ACCOUNT_ID}/workers/observability/telemetry/query`, {
      method: "POST",
      body: JSON.stringify({
        queryId: "outcomes",
        timeframe: { from: setup.from, to: setup.to },
        view: "calculations",
        parameters: {
          filters: [{ key: "$workers.outcome", operation: "in", type: "string", value: ["exception", "exceededCpu"] }],
          calculations: [{ operator: "count", alias: "failures" }],
          groupBys: [
            { type: "string", value: "$workers.scriptVersion.id" },
            { type: "string", value: "$workers.outcome" },
          ],
        },
      }),
    });
    const answer = (await response.json()) as { result: { calculations: { aggregates: { groups: { value: string }[] }[] }[] } };
    const groups = answer.result.calculations[0]!.aggregates.map(({ groups }) => groups.map(({ value }) => value));
    expect(groups).toHaveLength(4);
    expect(new Set(groups.map(([, outcome]) => outcome))).toEqual(new Set(["exception", "exceededCpu"]));
    expect(new Set(groups.map(([version]) => version))).toEqual(new Set([setup.stable, setup.candidate]));
  });

  it("refuses a key it does not know with 400", async () => {
    const { fixture, from, to } = await rollingOut();
    const response = await fixture.api(`/accounts/${ACCOUNT_ID}/workers/observability/telemetry/query`, {
      method: "POST",
      body: JSON.stringify({
        queryId: "q",
        timeframe: { from, to },
        view: "calculations",
        parameters: { calculations: [{ operator: "count" }], groupBys: [{ type: "string", value: "$workers.colo" }] },
      }),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { errors: { message: string }[] }).errors[0]!.message).toMatch(/\$workers.colo/);
  });
});
