import { describe, expect, it } from "vitest";
import type { BehaviourChange } from "./behaviour.js";
import { ControlError } from "./control-error.js";
import { INVOCATION_STATUS } from "./analytics/invocation-status.js";
import { type Outcome, OUTCOMES } from "./outcomes.js";
import { ACCOUNT_ID, SCRIPT, startFixture, virtualClock } from "./test-harness.js";

/** Every outcome but ok at its own rate; ok takes the remaining 58%. */
const RATES = {
  canceled: 0.03,
  responseStreamDisconnected: 0.08,
  exception: 0.05,
  exceededCpu: 0.02,
  exceededMemory: 0.04,
  loadShed: 0.06,
  killSwitch: 0.01,
  daemonDown: 0.03,
  scriptNotFound: 0.02,
  unknown: 0.08,
} satisfies Record<Exclude<Outcome, "ok">, number>;
const SHARES: Record<Outcome, number> = { ...RATES, ok: 1 - Object.values(RATES).reduce((sum, rate) => sum + rate, 0) };

const RPS = 500;
const SECONDS = 300;

/** Five minutes of one version answering with every outcome, through the real SDK. */
async function everyOutcome() {
  const clock = virtualClock();
  const fixture = await startFixture(
    { clock, seed: 17 },
    { rps: RPS, versions: [{ behaviour: { errorRate: 0, clientDisconnectRate: 0, outcomeRates: RATES } }] },
  );
  const from = Math.ceil(clock.now() / 1000) * 1000 + 1000;
  clock.advanceSeconds(SECONDS + 2);
  return { fixture, from, to: from + SECONDS * 1000 };
}

/**
 * A count of `share` of all the requests, to within 5 standard deviations (a share of Poisson
 * traffic is a Poisson count): the seed fixes the draw, and one this far out would be a bug.
 */
function expectShare(count: number, share: number) {
  const expected = RPS * SECONDS * share;
  expect(Math.abs(count - expected)).toBeLessThan(5 * Math.sqrt(expected));
}

describe("simulated outcomes", () => {
  it("answers each of workerd's outcomes at its rate as $workers.outcome in Workers Observability", async () => {
    const { fixture, from, to } = await everyOutcome();
    const answer = await fixture.client.workers.observability.telemetry.query({
      account_id: ACCOUNT_ID,
      queryId: "outcomes",
      timeframe: { from, to },
      view: "calculations",
      parameters: { calculations: [{ operator: "count", alias: "count" }], groupBys: [{ type: "string", value: "$workers.outcome" }] },
    });
    const counts = new Map(answer.calculations![0]!.aggregates.map(({ value, groups }) => [String(groups![0]!.value), value]));
    expect([...counts.keys()].sort()).toEqual([...OUTCOMES].sort());
    for (const outcome of OUTCOMES) expectShare(counts.get(outcome)!, SHARES[outcome]);
  });

  it("answers them in GraphQL as the status each maps to, with sum.errors for the failures only", async () => {
    const { fixture, from, to } = await everyOutcome();
    const answer = await fixture.client.post<{
      data: { viewer: { accounts: { workersInvocationsAdaptive: { dimensions: { status: string }; sum: { requests: number; errors: number } }[] }[] } };
    }>("/graphql", {
      body: {
        query: `query($accountTag: string!, $start: Time!, $end: Time!) { viewer { accounts(filter: {accountTag: $accountTag}) {
          workersInvocationsAdaptive(filter: {datetime_geq: $start, datetime_lt: $end}) { dimensions { status } sum { requests errors } } } } }`,
        variables: { accountTag: ACCOUNT_ID, start: new Date(from).toISOString(), end: new Date(to).toISOString() },
      },
    });
    const rows = new Map(answer.data.viewer.accounts[0]!.workersInvocationsAdaptive.map(({ dimensions, sum }) => [dimensions.status, sum]));
    const statusShares = new Map<string, number>();
    for (const outcome of OUTCOMES) statusShares.set(INVOCATION_STATUS[outcome], (statusShares.get(INVOCATION_STATUS[outcome]) ?? 0) + SHARES[outcome]);

    expect([...rows.keys()].sort()).toEqual(
      ["success", "clientDisconnected", "responseStreamDisconnected", "scriptThrewException", "exceededResources", "internalError"].sort(),
    );
    for (const [status, share] of statusShares) expectShare(rows.get(status)!.requests, share);
    for (const status of ["success", "clientDisconnected", "responseStreamDisconnected"]) expect(rows.get(status)!.errors).toBe(0);
    for (const status of ["scriptThrewException", "exceededResources", "internalError"]) expect(rows.get(status)!.errors).toBe(rows.get(status)!.requests);
  });

  it("maps exceededCpu and exceededMemory to exceededResources, and Cloudflare's side failing to internalError", () => {
    expect(INVOCATION_STATUS).toEqual({
      ok: "success",
      canceled: "clientDisconnected",
      responseStreamDisconnected: "responseStreamDisconnected",
      exception: "scriptThrewException",
      exceededCpu: "exceededResources",
      exceededMemory: "exceededResources",
      loadShed: "internalError",
      killSwitch: "internalError",
      daemonDown: "internalError",
      scriptNotFound: "internalError",
      unknown: "internalError",
    });
  });

  it("adds outcome rates to the shares errorRate and clientDisconnectRate give, merging a change outcome by outcome", async () => {
    const { sim, versionIds } = await startFixture();
    const change = { errorRate: 0.1, clientDisconnectRate: 0.2, outcomeRates: { exception: 0.05, loadShed: 0.01 } };
    expect(sim.control.changeBehaviour(SCRIPT, versionIds[0]!, change).outcomeRates).toEqual({ exception: 0.05, loadShed: 0.01 });
    expect(sim.control.changeBehaviour(SCRIPT, versionIds[0]!, { outcomeRates: { loadShed: 0, exceededMemory: 0.02 } }).outcomeRates).toEqual({
      exception: 0.05,
      loadShed: 0,
      exceededMemory: 0.02,
    });
  });

  it.each([
    [{ outcomeRates: { exceededPatience: 0.1, slowness: 0.2 } }, /^outcomeRates has no outcome named exceededPatience, slowness; the outcomes it takes are canceled, /],
    [{ outcomeRates: { ok: 0.5 } }, /^outcomeRates cannot set ok: ok is the share the other outcomes leave$/],
    [{ outcomeRates: { loadShed: 1.5 } }, /^outcomeRates.loadShed must be between 0 and 1, got 1.5$/],
    [{ outcomeRates: { loadShed: -0.1 } }, /^outcomeRates.loadShed must be between 0 and 1, got -0.1$/],
    [
      { errorRate: 0.5, clientDisconnectRate: 0, outcomeRates: { exceededMemory: 0.3, unknown: 0.3 } },
      /^errorRate, clientDisconnectRate and outcomeRates add up to 1.1 of the requests; they can add up to 1 at most$/,
    ],
  ])("refuses %j", async (change, message) => {
    const { sim, versionIds } = await startFixture();
    const changing = () => sim.control.changeBehaviour(SCRIPT, versionIds[0]!, change as BehaviourChange);
    expect(changing).toThrow(ControlError);
    expect(changing).toThrow(message);
  });
});
