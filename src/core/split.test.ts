import { describe, expect, it } from "vitest";
import { formatSplit, normalizeSplit, percentOf, splitAt, splitProblem, splitsEqual } from "./split.js";

describe("splitAt", () => {
  it("gives the candidate its percent and the stable version the rest", () => {
    expect(splitAt("v1", "v2", 5)).toEqual([
      { version: "v1", percent: 95 },
      { version: "v2", percent: 5 },
    ]);
  });

  it("leaves out a version with no traffic", () => {
    expect(splitAt("v1", "v2", 0)).toEqual([{ version: "v1", percent: 100 }]);
    expect(splitAt("v1", "v2", 100)).toEqual([{ version: "v2", percent: 100 }]);
  });

  it("always sums to 100 and is valid", () => {
    for (const percent of [0, 1, 5, 12.5, 33.3, 50, 99, 99.9, 100]) {
      const split = splitAt("v1", "v2", percent);
      expect(splitProblem(split)).toBeUndefined();
      expect(percentOf(split, "v2")).toBeCloseTo(percent, 9);
    }
  });
});

describe("comparing splits", () => {
  it("ignores order and zero entries", () => {
    expect(splitsEqual(splitAt("v1", "v2", 25), [{ version: "v2", percent: 25 }, { version: "v1", percent: 75 }])).toBe(true);
    expect(splitsEqual([{ version: "v1", percent: 100 }], [{ version: "v1", percent: 100 }, { version: "v2", percent: 0 }])).toBe(true);
    expect(splitsEqual(splitAt("v1", "v2", 25), splitAt("v1", "v2", 50))).toBe(false);
    expect(splitsEqual(splitAt("v1", "v2", 100), splitAt("v1", "v3", 100))).toBe(false);
  });

  it("normalizes duplicates into one entry per version", () => {
    expect(normalizeSplit([{ version: "b", percent: 10 }, { version: "a", percent: 50 }, { version: "b", percent: 40 }])).toEqual([
      { version: "a", percent: 50 },
      { version: "b", percent: 50 },
    ]);
  });

  it("reports 0 for an absent version", () => {
    expect(percentOf(splitAt("v1", "v2", 0), "v2")).toBe(0);
  });
});

describe("splitProblem", () => {
  it.each([
    [[], "at least one"],
    [[{ version: "v1", percent: 90 }], "sum to 100"],
    [[{ version: "v1", percent: 120 }, { version: "v2", percent: -20 }], "between 0 and 100"],
    [[{ version: "v1", percent: 50 }, { version: "v1", percent: 50 }], "only once"],
    [[{ version: "", percent: 100 }], "needs a version"],
  ])("refuses %j", (split, problem) => {
    expect(splitProblem(split)).toContain(problem);
  });
});

it("formats a split for people", () => {
  expect(formatSplit(splitAt("v1", "v2", 5))).toBe("v1=95% v2=5%");
});
