import { describe, expect, it } from "vitest";
import { quantileBounds } from "./quantile-bounds.js";

const BOUNDS = [50, 100, 200, 300, 500];

describe("quantileBounds", () => {
  it("brackets the quantile, and narrows as the requests grow", () => {
    // 1% of the requests are slower than 300 ms, so the p99 is about 300 ms.
    const thin = quantileBounds({ boundsMs: BOUNDS, counts: [300, 100, 80, 15, 4, 1] }, 1, 0.99)!;
    const thick = quantileBounds({ boundsMs: BOUNDS, counts: [30_000, 10_000, 8000, 1500, 400, 100] }, 1, 0.99)!;
    expect(thin.low).toBeLessThan(300);
    expect(thin.high).toBeGreaterThan(300);
    expect(thick.low).toBeGreaterThan(thin.low);
    expect(thick.high).toBeLessThan(thin.high);
    expect(thick.low).toBeGreaterThan(250);
    expect(thick.high).toBeLessThan(400);
  });

  it("has no upper bound when the upper rank falls past the last finite bucket", () => {
    expect(quantileBounds({ boundsMs: BOUNDS, counts: [300, 100, 80, 10, 5, 5] }, 1, 0.99)!.high).toBe(Infinity);
  });

  it("counts the requests a sampling source kept, which are fewer and so give wider bounds", () => {
    const counts = [30_000, 10_000, 8000, 1500, 400, 100];
    const full = quantileBounds({ boundsMs: BOUNDS, counts }, 1, 0.99)!;
    const sampled = quantileBounds({ boundsMs: BOUNDS, counts }, 100, 0.99)!;
    expect(sampled.low).toBeLessThan(full.low);
    expect(sampled.high).toBeGreaterThan(full.high);
  });

  it("is undefined without requests", () => {
    expect(quantileBounds({ boundsMs: BOUNDS, counts: [0, 0, 0, 0, 0, 0] }, 1, 0.99)).toBeUndefined();
  });
});
