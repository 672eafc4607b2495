import { describe, expect, it } from "vitest";
import { durationSchema, formatDuration, parseDuration } from "./duration.js";

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

  it("refuses text too long to count in seconds", () => {
    const text = `${"9".repeat(400)}s`;
    expect(parseDuration(text)).toEqual(new Error(`"${text}" is too long to be a duration`));
  });

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

  it("writes every digit of a huge duration, never an exponent", () => {
    expect(formatDuration(1e23 * 3600)).toMatch(/^\d+h(\d+m)?(\d+s)?$/);
    expect(formatDuration(1e300)).not.toMatch(/e/);
  });

  it("round-trips through parseDuration", () => {
    for (const seconds of [0, 1, 59, 60, 61, 900, 3599, 3600, 5400, 86399]) {
      expect(parseDuration(formatDuration(seconds))).toBe(seconds);
    }
  });
});

describe("durationSchema", () => {
  const schema = durationSchema({ atLeast: "1s", atMost: "1h" });
  const messageOf = (value: unknown) => schema.safeParse(value).error?.issues.map((issue) => issue.message);

  it("reads seconds and text within its bounds", () => {
    expect(schema.parse("1s")).toBe(1);
    expect(schema.parse(" 1h ")).toBe(3600);
    expect(schema.parse(90)).toBe(90);
  });

  it.each([
    ["999ms", "must be at least 1s"],
    [0.5, "must be at least 1s"],
    ["61m", "must be at most 1h"],
    [3601, "must be at most 1h"],
    ["99999999999999999999999h", "must be at most 1h"],
    [Number.POSITIVE_INFINITY, "must be a finite number"],
    [Number.NaN, "must be a finite number"],
    ["-5m", "must be a duration: a number of seconds, or text such as 90s, 15m or 1h30m"],
    [null, "must be a duration: a number of seconds, or text such as 90s, 15m or 1h30m"],
  ])("refuses %j with one message: %s", (value, message) => {
    expect(messageOf(value)).toEqual([message]);
  });

  it("takes 0s and up without bounds", () => {
    expect(durationSchema().parse("0s")).toBe(0);
    expect(durationSchema().parse("100d")).toBe(8_640_000);
    expect(durationSchema().safeParse(-1).error?.issues[0]!.message).toBe("must be at least 0s");
  });
});
