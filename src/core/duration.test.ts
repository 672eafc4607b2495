import { describe, expect, it } from "vitest";
import { formatDuration, parseDuration } from "./duration.js";

describe("parseDuration", () => {
  it.each([
    ["90s", 90],
    ["15m", 900],
    ["2h", 7200],
    ["1h30m", 5400],
    ["250ms", 0.25],
    ["1d", 86400],
    ["1.5h", 5400],
    ["0s", 0],
    ["90", 90],
    [" 15m ", 900],
  ])("reads %j as %d seconds", (text, seconds) => {
    expect(parseDuration(text)).toBe(seconds);
  });

  it("takes a plain number as seconds", () => {
    expect(parseDuration(600)).toBe(600);
    expect(parseDuration(0)).toBe(0);
    expect(parseDuration(1.5)).toBe(1.5);
  });

  it.each(["", "abc", "15 m", "15M", "m", "1m30", "-5m", "-5", "5x", "1e3", "15m!"])(
    "refuses %j with a message naming it",
    (text) => {
      const result = parseDuration(text);
      expect(result).toBeInstanceOf(Error);
      expect((result as Error).message).toContain(JSON.stringify(text));
    },
  );

  it.each([-1, -0.5, Number.NaN, Number.POSITIVE_INFINITY])("refuses the number %d", (value) => {
    const result = parseDuration(value);
    expect(result).toBeInstanceOf(Error);
    expect((result as Error).message).toContain(String(value));
  });
});

describe("formatDuration", () => {
  it.each([
    [0, "0s"],
    [45, "45s"],
    [60, "1m"],
    [90, "1m30s"],
    [900, "15m"],
    [3600, "1h"],
    [5400, "1h30m"],
    [3661, "1h1m1s"],
    [0.25, "250ms"],
  ])("writes %d seconds as %j", (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });

  it("round-trips through parseDuration", () => {
    for (const seconds of [0, 1, 59, 60, 61, 900, 3599, 3600, 5400, 86399]) {
      expect(parseDuration(formatDuration(seconds))).toBe(seconds);
    }
  });
});
