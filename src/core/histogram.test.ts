import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { quantileFromHistogram } from "./histogram.js";

const BOUNDS = [10, 20, 50, Infinity];

describe("quantileFromHistogram", () => {
  it("interpolates linearly inside the bucket that holds the rank", () => {
    // 100 observations: 50 in (0,10], 30 in (10,20], 20 in (20,50].
    const counts = [50, 30, 20, 0];
    expect(quantileFromHistogram(BOUNDS, counts, 0.25)).toBe(5);
    expect(quantileFromHistogram(BOUNDS, counts, 0.5)).toBe(10);
    expect(quantileFromHistogram(BOUNDS, counts, 0.65)).toBe(15);
    expect(quantileFromHistogram(BOUNDS, counts, 0.9)).toBe(35);
    expect(quantileFromHistogram(BOUNDS, counts, 1)).toBe(50);
  });

  it("answers the largest finite bound when the quantile falls in the +Inf bucket", () => {
    expect(quantileFromHistogram(BOUNDS, [90, 0, 0, 10], 0.99)).toBe(50);
    expect(quantileFromHistogram(BOUNDS, [90, 0, 0, 10], 0.5)).toBeCloseTo(5.556, 3);
  });

  it("places q = 0 at the lower edge of the first bucket with data", () => {
    expect(quantileFromHistogram(BOUNDS, [0, 4, 0, 0], 0)).toBe(10);
  });

  it("treats a first bound at or below zero as the answer for its bucket", () => {
    expect(quantileFromHistogram([0, 10, Infinity], [5, 5, 0], 0.2)).toBe(0);
  });

  it("has no answer for an empty histogram or one with only a +Inf bucket", () => {
    expect(quantileFromHistogram(BOUNDS, [0, 0, 0, 0], 0.5)).toBeUndefined();
    expect(quantileFromHistogram([Infinity], [7], 0.5)).toBeUndefined();
  });

  it("rejects mismatched arrays and quantiles outside [0, 1]", () => {
    expect(() => quantileFromHistogram(BOUNDS, [1, 2], 0.5)).toThrow(/one count per bucket bound/);
    expect(() => quantileFromHistogram(BOUNDS, [1, 0, 0, 0], 1.5)).toThrow(/between 0 and 1/);
    expect(() => quantileFromHistogram(BOUNDS, [1, 0, 0, 0], Number.NaN)).toThrow(/between 0 and 1/);
  });

  it("never decreases as q grows and stays within the bounds", () => {
    const counts = fc.array(fc.nat(1000), { minLength: BOUNDS.length, maxLength: BOUNDS.length });
    fc.assert(
      fc.property(counts, fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (c, a, b) => {
        const low = quantileFromHistogram(BOUNDS, c, Math.min(a, b));
        const high = quantileFromHistogram(BOUNDS, c, Math.max(a, b));
        if (c.every((count) => count === 0)) return low === undefined && high === undefined;
        return low !== undefined && high !== undefined && low <= high && low >= 0 && high <= 50;
      }),
    );
  });
});
