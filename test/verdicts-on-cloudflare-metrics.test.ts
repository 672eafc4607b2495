import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Check } from "../src/core/check.js";
import { BUILTIN_PLANS } from "../src/core/builtin-plans.js";
import type { Plan } from "../src/core/plan.js";
import { isSettled, type Release } from "../src/core/release.js";
import { Engine } from "../src/engine/engine.js";
import { connectCloudflare, type MetricsSourceName } from "../src/platforms/cloudflare/connect.js";
import type { BehaviourChange } from "../src/platforms/cloudflare/simulator/behaviour.js";
import { type RunningSimulator, startCloudflareSimulator } from "../src/platforms/cloudflare/simulator/index.js";
import type { OpenDatabase } from "../src/store/database.js";
import { openMemoryDatabase } from "../src/store/memory-database.test-support.js";
import { ReleaseStore } from "../src/store/release-store.js";
import { VirtualClock } from "./support/virtual-clock.js";

/**
 * Whole releases of the built-in `standard` plan, driven by the real engine against the Cloudflare
 * simulator through the official SDK, in virtual time: what Glidepath decides on data shaped like
 * Cloudflare's (sampled, late, by version and status), not its own proxy's.
 */

const TOKEN = "verdicts-token";
const WORKER = "storefront";
const STANDARD = BUILTIN_PLANS.standard!;
const FAST = BUILTIN_PLANS.fast!;

let database: OpenDatabase;
beforeAll(async () => {
  database = await openMemoryDatabase();
});
afterAll(() => database.close());

const simulators: RunningSimulator[] = [];
afterEach(async () => {
  await Promise.all(simulators.splice(0).map((sim) => sim.close()));
});

interface Rollout {
  plan?: Plan;
  rps: number;
  stable: BehaviourChange;
  candidate: BehaviourChange;
  metrics?: MetricsSourceName;
  /** Each kept request stands for this many: 100 keeps 1%. */
  sampleInterval?: number;
  /** Seconds after the release starts at which the candidate turns to `turnsInto`. */
  turnsAfterSeconds?: number;
  turnsInto?: BehaviourChange;
}

let releases = 0;

/** Runs one release to its end, pass by pass on a virtual clock, and returns it with its stored checks. */
async function rollOut({ plan = STANDARD, rps, stable, candidate, metrics = "graphql", sampleInterval = 1, turnsAfterSeconds, turnsInto }: Rollout) {
  const clock = new VirtualClock(Date.parse("2026-12-01T09:00:00Z"));
  // As late as the source expects: GraphQL's data settles in about a minute, Workers Logs' in half of one.
  const lagSeconds = metrics === "graphql" ? 60 : 30;
  const sim = await startCloudflareSimulator({ token: TOKEN, clock, seed: 11, lagSeconds, sampleInterval });
  simulators.push(sim);
  const { accountId, versionIds } = sim.control.createScript({
    script: WORKER,
    rps,
    versions: [{ behaviour: stable }, { behaviour: candidate }],
  });
  const [stableId, candidateId] = versionIds as [string, string];
  const store = new ReleaseStore(database.db);
  const connection = connectCloudflare({ accountId, worker: WORKER, apiToken: TOKEN, apiBaseUrl: sim.url, metrics, clock });
  const engine = new Engine({ store, clock, connect: () => connection });
  const created = await engine.create({
    name: `verdicts-${++releases}`,
    target: { platform: "cloudflare", config: {} },
    stable: stableId,
    candidate: candidateId,
    plan,
    autoStart: true,
  });
  const startedAt = clock.now();
  const turnsAt = turnsAfterSeconds === undefined ? undefined : startedAt + turnsAfterSeconds * 1000;
  let release: Release = created;
  while (!isSettled(release)) {
    release = await engine.pass(created.id);
    if (isSettled(release)) break;
    const wakeAt = release.nextRunAt!;
    if (turnsAt !== undefined && clock.now() < turnsAt && wakeAt >= turnsAt) {
      clock.time = turnsAt;
      sim.control.changeBehaviour(WORKER, candidateId, turnsInto!);
    }
    clock.time = Math.max(clock.time, wakeAt);
  }
  const checks = await store.checks(created.id);
  return { release, checks, startedAt, turnsAt, candidateId };
}

const last = (checks: Check[]) => checks.at(-1)!;
const sequentialErrors = (check: Check) => check.results.find((result) => result.slo.sli === "error_rate" && result.evidence)!;

describe("verdicts on Cloudflare's metrics, with the built-in plans", () => {
  it("promotes an A/A release on metrics that keep 1% of the requests, judging only once enough were kept", async () => {
    const same = { errorRate: 0.005, latencyMs: { p50: 40, p99: 250 } };
    const { release, checks } = await rollOut({ rps: 2000, stable: same, candidate: same, sampleInterval: 100 });

    expect(release.state).toBe("succeeded");
    const held = checks.filter((check) => check.verdict === "insufficient_data");
    const firstVerdict = checks.find((check) => check.verdict !== "insufficient_data")!;
    const kept = (check: Check) => check.samples.candidate!.requests / check.samples.candidate!.sampleInterval!;
    // The first checks wait for kept requests, and say so with both numbers; then the p99 guardrail waits for 500 of them.
    expect(held[1]!.note).toMatch(/^\S+ served about [\d,]+ requests, \d+ of them kept by the source's sampling in the window; a verdict needs 100 each; /);
    expect(held.some((check) => /^latency_p99 needs 500 requests per version to judge; .* kept by the source's sampling; /.test(check.note!))).toBe(true);
    expect(firstVerdict.samples.candidate!.sampleInterval).toBeCloseTo(100, 0);
    expect(kept(firstVerdict)).toBeGreaterThanOrEqual(500);
    expect(checks.filter((check) => check.verdict === "fail")).toEqual([]);
  });

  it.each(["graphql", "observability"] as const)(
    "promotes a streaming Worker whose visitors leave mid-stream from both versions alike, on %s, and says what it left out",
    async (metrics) => {
      const streaming = { errorRate: 0.005, latencyMs: { p50: 40, p99: 250 }, outcomeRates: { responseStreamDisconnected: 0.05 } };
      const { release, checks, candidateId } = await rollOut({ plan: FAST, rps: 200, stable: streaming, candidate: streaming, metrics });

      expect(release.state).toBe("succeeded");
      expect(checks.filter((check) => check.verdict === "fail")).toEqual([]);
      const verdict = checks.find((check) => check.verdict === "pass")!;
      const candidate = verdict.samples.candidate!;
      const disconnected = candidate.outcomes!.find((outcome) => outcome.outcome === "responseStreamDisconnected")!;
      expect(disconnected).toMatchObject({ class: "not_counted", known: true });
      // About 5% of the candidate's requests, none of them in its requests or errors.
      expect(disconnected.requests / (candidate.requests + disconnected.requests)).toBeGreaterThan(0.03);
      expect(candidate.errors / candidate.requests).toBeLessThan(0.02);
      expect(verdict.note).toContain(`${candidateId}: `);
      expect(verdict.note).toMatch(new RegExp(`not counted as the client's doing \\(${Math.round(disconnected.requests).toLocaleString("en-US")} responseStreamDisconnected[,)]`));
    },
  );

  it("rolls back a x10 error regression at 10 requests a second before minRequests is reached, on the sequential test's evidence", async () => {
    const { release, checks } = await rollOut({
      rps: 10,
      stable: { errorRate: 0.02, latencyMs: { p50: 40, p99: 250 } },
      candidate: { errorRate: 0.2, latencyMs: { p50: 40, p99: 250 } },
    });

    expect(release.state).toBe("rolled_back");
    const rollback = last(checks);
    expect(rollback.verdict).toBe("fail");
    expect(rollback.samples.candidate!.requests).toBeLessThan(STANDARD.policy.minRequests);
    const errors = sequentialErrors(rollback);
    expect(errors.verdict).toBe("fail");
    expect(errors.evidence!.eValue).toBeGreaterThanOrEqual(errors.evidence!.threshold);
    expect(errors.evidence!.candidate.trials).toBeLessThan(STANDARD.policy.minRequests);
    expect(release.reason).toMatch(/^a sequential test found \S+ worse than \S+: error_rate not worse than stable \+ 10%.*evidence [\d.e+]+ >= 200/);
  });

  it("rolls back a x3 error regression that starts in the second stage within minutes of its start", async () => {
    const healthy = { errorRate: 0.005, latencyMs: { p50: 40, p99: 250 } };
    const { release, checks, turnsAt } = await rollOut({
      rps: 500,
      stable: healthy,
      candidate: healthy,
      turnsAfterSeconds: 20 * 60,
      turnsInto: { errorRate: 0.015 },
    });

    expect(release.state).toBe("rolled_back");
    const rollback = last(checks);
    expect(rollback.stageIndex).toBe(1);
    expect(rollback.at - turnsAt!).toBeLessThan(5 * 60_000);
    const errors = sequentialErrors(rollback).evidence!;
    expect(errors.eValue).toBeGreaterThanOrEqual(errors.threshold);
    // Judged from a start point after the clean checks, not against them: the release's first one alone could not have caught it yet.
    expect(errors.detector!.some((log, i) => log > (errors.detectorBefore?.[i] ?? -Infinity))).toBe(true);
  });
});
