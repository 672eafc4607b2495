import { describe, expect, it } from "vitest";
import { LogHistogram } from "./log-histogram.js";

describe("LogHistogram", () => {
  it("reads quantiles within the 5% width of its buckets, also after a merge", () => {
    const low = new LogHistogram();
    const high = new LogHistogram();
    for (let value = 1; value <= 500; value++) low.record(value * 1000);
    for (let value = 501; value <= 1000; value++) high.record(value * 1000);
    low.merge(high);

    expect(low.total).toBe(1000);
    for (const q of [0.5, 0.9, 0.99]) {
      expect(low.quantile(q)! / (q * 1_000_000)).toBeGreaterThan(0.95);
      expect(low.quantile(q)! / (q * 1_000_000)).toBeLessThan(1.05);
    }
  });

  it("has no quantile when empty", () => {
    expect(new LogHistogram().quantile(0.5)).toBeUndefined();
  });
});
