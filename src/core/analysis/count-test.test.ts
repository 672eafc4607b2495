import { describe, expect, it } from "vitest";
import { ALTERNATIVE_RATIOS, countLogLikelihoodRatios, countsSince } from "./count-test.js";

describe("countLogLikelihoodRatios", () => {
  it("weighs shares, not volumes: the same shares of more traffic give the same evidence per event", () => {
    const small = countLogLikelihoodRatios({ candidate: { trials: 100, events: 4 }, stable: { trials: 900, events: 6 } }, 0.1);
    const large = countLogLikelihoodRatios({ candidate: { trials: 100_000, events: 4 }, stable: { trials: 900_000, events: 6 } }, 0.1);
    large.forEach((logRatio, i) => expect(logRatio).toBeCloseTo(small[i]!, 10));
  });

  it("says nothing about a batch in which either version served nothing", () => {
    const none = ALTERNATIVE_RATIOS.map(() => 0);
    expect(countLogLikelihoodRatios({ candidate: { trials: 0, events: 0 }, stable: { trials: 500, events: 3 } }, 0.1)).toEqual(none);
    expect(countLogLikelihoodRatios({ candidate: { trials: 50, events: 3 }, stable: { trials: 0, events: 0 } }, 0.1)).toEqual(none);
  });

  it("gives one ratio per alternative, the largest for the alternative nearest the observed effect", () => {
    // The candidate serves 10% of requests and 10 x 1.1 x its share of errors would be ~55% of them.
    const ratios = countLogLikelihoodRatios({ candidate: { trials: 10_000, events: 550 }, stable: { trials: 90_000, events: 450 } }, 0.1);
    expect(ratios).toHaveLength(ALTERNATIVE_RATIOS.length);
    expect(ALTERNATIVE_RATIOS[ratios.indexOf(Math.max(...ratios))]).toBe(10);
  });

  it("finds evidence against every alternative when the candidate is better than stable", () => {
    const ratios = countLogLikelihoodRatios({ candidate: { trials: 1000, events: 0 }, stable: { trials: 9000, events: 90 } }, 0.1);
    expect(Math.max(...ratios)).toBeLessThan(0);
  });
});

describe("countsSince", () => {
  it("is what the period added", () => {
    const before = { candidate: { trials: 100, events: 2 }, stable: { trials: 900, events: 9 } };
    const now = { candidate: { trials: 150, events: 5 }, stable: { trials: 1300, events: 10 } };
    expect(countsSince(now, before)).toEqual({ candidate: { trials: 50, events: 3 }, stable: { trials: 400, events: 1 } });
    expect(countsSince(now, null)).toEqual(now);
  });

  it("adds nothing for a count the source revised downwards, and never more events than trials", () => {
    const before = { candidate: { trials: 100, events: 2 }, stable: { trials: 900, events: 9 } };
    const revised = { candidate: { trials: 98, events: 3 }, stable: { trials: 901, events: 8 } };
    expect(countsSince(revised, before)).toEqual({ candidate: { trials: 0, events: 0 }, stable: { trials: 1, events: 0 } });
  });
});
