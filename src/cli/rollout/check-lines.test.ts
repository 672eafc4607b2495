import { describe, expect, it } from "vitest";
import type { Check, SloResult, Verdict } from "../../core/check.js";
import { CheckLines } from "./check-lines.js";

const MINUTE = 60_000;

function check(stageIndex: number, verdict: Verdict, failing: string[] = []): Check {
  const results = failing.map((rule) => ({ rule, verdict: "fail" }) as SloResult);
  return { at: 0, stageIndex, window: { from: 0, to: 0 }, verdict, note: null, samples: { stable: null, candidate: null }, results };
}

describe("the checks a log prints", () => {
  it("prints the first check of each stage and every change of verdict, holding back the same verdict", () => {
    const lines = new CheckLines(MINUTE);
    expect(lines.check(check(0, "insufficient_data"), "no verdict a", 0)).toBe("no verdict a");
    expect(lines.check(check(0, "insufficient_data"), "no verdict b", 1000)).toBeUndefined();
    expect(lines.check(check(0, "pass"), "pass a", 2000)).toBe("pass a");
    expect(lines.check(check(0, "pass"), "pass b", 3000)).toBeUndefined();
    expect(lines.check(check(0, "fail", ["error_rate <= 0.05"]), "fail a", 4000)).toBe("fail a");
    expect(lines.check(check(0, "fail", ["error_rate <= 0.05", "latency_p99 <= 200"]), "fail b", 5000)).toBe("fail b");
    expect(lines.check(check(1, "fail", ["error_rate <= 0.05", "latency_p99 <= 200"]), "fail c", 6000)).toBe("fail c");
  });

  it("repeats an unchanged verdict at most once per interval, and never the same line twice in a row", () => {
    const lines = new CheckLines(MINUTE);
    lines.check(check(0, "pass"), "pass 1", 0);
    expect(lines.check(check(0, "pass"), "pass 2", MINUTE - 1)).toBeUndefined();
    expect(lines.check(check(0, "pass"), "pass 3", MINUTE)).toBe("pass 3");
    expect(lines.check(check(0, "pass"), "pass 3", 3 * MINUTE)).toBeUndefined();
  });

  it("gives the check held back before the next event's line, once, unless it would repeat the last line", () => {
    const lines = new CheckLines(MINUTE);
    lines.check(check(0, "fail", ["error_rate <= 0.05"]), "fail 1", 0);
    lines.check(check(0, "fail", ["error_rate <= 0.05"]), "fail 2", 500);
    expect(lines.flush(600)).toBe("fail 2");
    expect(lines.flush(700)).toBeUndefined();
    lines.check(check(0, "fail", ["error_rate <= 0.05"]), "fail 2", 800);
    expect(lines.flush(900)).toBeUndefined();
  });
});
