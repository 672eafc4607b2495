import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { splitAt } from "../../core/split.js";
import { affinityPoint, createRouter } from "./router.js";

function countChoices(choose: (i: number) => string, times: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i < times; i++) {
    const version = choose(i);
    counts.set(version, (counts.get(version) ?? 0) + 1);
  }
  return counts;
}

describe("createRouter", () => {
  it("sends keyed requests to each version in proportion to its percent", () => {
    const router = createRouter(splitAt("v1", "v2", 25));
    const counts = countChoices((i) => router.choose(String(i)), 10_000);
    // 3.5 standard deviations of a fair 25% draw over 10,000 keys is about 150.
    expect(counts.get("v2")).toBeGreaterThan(2_350);
    expect(counts.get("v2")).toBeLessThan(2_650);
  });

  it("sends unkeyed requests by the random point it is given", () => {
    const points = [0, 0.2499, 0.25, 0.9999];
    const router = createRouter(splitAt("v1", "v2", 75), () => points.shift()!);
    expect([router.choose(), router.choose(), router.choose(), router.choose()]).toEqual(["v1", "v1", "v2", "v2"]);
  });

  it("splits three versions by their percents", () => {
    const split = [
      { version: "c", percent: 20 },
      { version: "a", percent: 50 },
      { version: "b", percent: 30 },
    ];
    let point = 0;
    const router = createRouter(split, () => point);
    const chosen = countChoices(() => {
      point += 0.001;
      return router.choose();
    }, 999);
    expect(chosen.get("a")).toBeCloseTo(500, -1);
    expect(chosen.get("b")).toBeCloseTo(300, -1);
    expect(chosen.get("c")).toBeCloseTo(200, -1);
  });

  it("ignores versions at 0% and refuses a split with nothing to serve", () => {
    const router = createRouter([
      { version: "v1", percent: 100 },
      { version: "v2", percent: 0 },
    ]);
    expect(countChoices((i) => router.choose(String(i)), 1_000)).toEqual(new Map([["v1", 1_000]]));
    expect(() => createRouter([])).toThrow(/at least one version/);
  });

  it("keeps a key on the candidate while the candidate's percent only grows", () => {
    const versionName = fc.stringMatching(/^[a-z0-9]{1,8}$/);
    fc.assert(
      fc.property(
        versionName,
        versionName,
        fc.string(),
        fc.double({ min: 0, max: 100, noNaN: true }),
        fc.double({ min: 0, max: 100, noNaN: true }),
        (stable, candidate, key, a, b) => {
          fc.pre(stable !== candidate);
          const before = createRouter(splitAt(stable, candidate, Math.min(a, b))).choose(key);
          const after = createRouter(splitAt(stable, candidate, Math.max(a, b))).choose(key);
          return before !== candidate || after === candidate;
        },
      ),
    );
  });
});

describe("affinityPoint", () => {
  it("is stable and lies in [0, 1)", () => {
    expect(affinityPoint("user-42")).toBe(affinityPoint("user-42"));
    fc.assert(fc.property(fc.string(), (key) => affinityPoint(key) >= 0 && affinityPoint(key) < 1));
  });

  it("spreads sequential keys evenly over the interval", () => {
    const tenths = countChoices((i) => String(Math.floor(affinityPoint(`user-${i}`) * 10)), 10_000);
    for (const count of tenths.values()) {
      expect(count).toBeGreaterThan(900);
      expect(count).toBeLessThan(1_100);
    }
    expect(tenths.size).toBe(10);
  });
});
