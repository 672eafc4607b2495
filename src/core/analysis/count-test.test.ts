import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ALTERNATIVE_RATIOS, countLogLikelihoodRatios, type EventCounts, mixtureEValue, noEvidence } from "./count-test.js";

/** Uniform numbers in [0, 1), the same ones for the same seed. */
function uniforms(count: number, seed: number): number[] {
  return fc.sample(fc.noBias(fc.integer({ min: 0, max: 2 ** 31 - 1 })), { seed, numRuns: count }).map((n) => n / 2 ** 31);
}

/**
 * Runs `paths` releases of `checks` checks each. At every check `eventsPerCheck` more events
 * happen, each the candidate's with probability `candidateEventShare`, and the e-value is read
 * from the counts so far. Returns the fraction of releases whose e-value ever reached 1/alpha.
 */
function rejectionRate(options: { paths: number; checks: number; eventsPerCheck: number; trialShare: number; candidateEventShare: number; margin: number; alpha: number; seed: number }) {
  const { paths, checks, eventsPerCheck, trialShare, candidateEventShare, margin, alpha, seed } = options;
  const draws = uniforms(paths * checks * eventsPerCheck, seed);
  let rejected = 0;
  for (let path = 0; path < paths; path++) {
    const counts: EventCounts = { candidate: { trials: 0, events: 0 }, stable: { trials: 0, events: 0 } };
    for (let check = 0; check < checks; check++) {
      counts.candidate.trials += 1000 * trialShare;
      counts.stable.trials += 1000 * (1 - trialShare);
      for (let event = 0; event < eventsPerCheck; event++) {
        const draw = draws[(path * checks + check) * eventsPerCheck + event]!;
        if (draw < candidateEventShare) counts.candidate.events++;
        else counts.stable.events++;
      }
      if (mixtureEValue(countLogLikelihoodRatios(counts, margin)) >= 1 / alpha) {
        rejected++;
        break;
      }
    }
  }
  return rejected / paths;
}

/** The candidate's share of events when its event rate is `ratio` times stable's. */
const eventShare = (trialShare: number, ratio: number) => (trialShare * ratio) / (trialShare * ratio + 1 - trialShare);

describe("the sequential count test", () => {
  it("keeps false rejections at most alpha when the candidate is exactly as good, however often it looks", () => {
    const rate = rejectionRate({ paths: 2000, checks: 40, eventsPerCheck: 5, trialShare: 0.1, candidateEventShare: 0.1, margin: 0, alpha: 0.05, seed: 1 });
    expect(rate).toBeLessThanOrEqual(0.05);
  });

  it("keeps false rejections at most alpha at the edge of the margin: a candidate exactly minEffect worse is not worse", () => {
    const share = eventShare(0.05, 1.1);
    const rate = rejectionRate({ paths: 2000, checks: 40, eventsPerCheck: 5, trialShare: 0.05, candidateEventShare: share, margin: 0.1, alpha: 0.05, seed: 2 });
    expect(rate).toBeLessThanOrEqual(0.05);
  });

  it("rejects a candidate with three times stable's error rate in nearly every release", () => {
    const share = eventShare(0.1, 3);
    const rate = rejectionRate({ paths: 500, checks: 40, eventsPerCheck: 5, trialShare: 0.1, candidateEventShare: share, margin: 0.1, alpha: 0.01, seed: 3 });
    expect(rate).toBeGreaterThan(0.95);
  });

  it("finds no evidence against a candidate that is better than stable", () => {
    const counts = { candidate: { trials: 1000, events: 0 }, stable: { trials: 9000, events: 90 } };
    expect(mixtureEValue(countLogLikelihoodRatios(counts, 0.1))).toBeLessThan(0.05);
  });

  it("weighs shares, not volumes: the same shares of more traffic give the same evidence per event", () => {
    const small = countLogLikelihoodRatios({ candidate: { trials: 100, events: 4 }, stable: { trials: 900, events: 6 } }, 0.1);
    const large = countLogLikelihoodRatios({ candidate: { trials: 100_000, events: 4 }, stable: { trials: 900_000, events: 6 } }, 0.1);
    large.forEach((logRatio, i) => expect(logRatio).toBeCloseTo(small[i]!, 10));
  });

  it("has no evidence before both versions served traffic", () => {
    expect(countLogLikelihoodRatios({ candidate: { trials: 0, events: 0 }, stable: { trials: 500, events: 3 } }, 0.1)).toEqual(noEvidence());
    expect(mixtureEValue(noEvidence())).toBe(1);
  });

  it("gives one ratio per alternative, the largest for the alternative nearest the observed effect", () => {
    // The candidate serves 10% of requests and 10 x 1.1 x its share of errors would be ~55% of them.
    const ratios = countLogLikelihoodRatios({ candidate: { trials: 10_000, events: 550 }, stable: { trials: 90_000, events: 450 } }, 0.1);
    expect(ratios).toHaveLength(ALTERNATIVE_RATIOS.length);
    expect(ALTERNATIVE_RATIOS[ratios.indexOf(Math.max(...ratios))]).toBe(10);
  });

  it("keeps an overwhelming e-value finite, so a stored check can hold it", () => {
    const eValue = mixtureEValue(countLogLikelihoodRatios({ candidate: { trials: 1e6, events: 1e5 }, stable: { trials: 1e6, events: 10 } }, 0));
    expect(Number.isFinite(eValue)).toBe(true);
    expect(JSON.parse(JSON.stringify(eValue))).toBe(eValue);
  });
});
