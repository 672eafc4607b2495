import { z } from "zod";
const UNIT_SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 };

/** A number of seconds alone, or amounts each followed by a unit: 90, 1.5h, 1h30m, 250ms. Spaces around are allowed. */
const DURATION_TEXT = /^\s*(?:\d+(?:\.\d+)?|(?:\d+(?:\.\d+)?(?:ms|s|m|h|d))+)\s*$/;
const NOT_A_DURATION = "is not a duration; use for example 90s, 15m, 2h or a number of seconds";

/**
 * Reads a duration in seconds from "90s", "15m", "2h", "1h30m", "250ms" or a plain number of seconds.
 * Returns an Error naming the text when it is not a duration.
 */
export function parseDuration(input: string | number): number | Error {
  if (typeof input === "number") {
    return Number.isFinite(input) && input >= 0 ? input : new Error(`${input} is not a duration; use a number of seconds >= 0`);
  }
  if (!DURATION_TEXT.test(input)) return new Error(`"${input}" ${NOT_A_DURATION}`);
  const seconds = secondsOfText(input.trim());
  return Number.isFinite(seconds) ? seconds : new Error(`"${input}" is too long to be a duration`);
}

function secondsOfText(text: string): number {
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text);
  return [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)].reduce((seconds, [, amount, unit]) => seconds + Number(amount) * UNIT_SECONDS[unit!]!, 0);
}

/** Short human form: 45s, 15m, 1h30m, 250ms; never in exponent notation, however long. */
export function formatDuration(seconds: number): string {
  if (seconds < 1 && seconds > 0) return `${Math.round(seconds * 1000)}ms`;
  const whole = Math.round(seconds);
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = whole % 60;
  // Past 1e21 a number's own text turns to exponents ("1e+23"); a BigInt writes every digit.
  const hours = Number.isFinite(h) ? BigInt(h).toString() : String(h);
  const parts = [h ? `${hours}h` : "", m ? `${m}m` : "", s || whole === 0 ? `${s}s` : ""];
  return parts.join("");
}

/** The least and the most a duration may be, written as durations: `{ atLeast: "1s", atMost: "1h" }`. */
export interface DurationBounds {
  atLeast?: string;
  atMost?: string;
}

/**
 * A duration in a schema: seconds as a number, or text like `90s` or `1h30m`; read as seconds, and
 * refused outside `bounds` with a message that names the bound as it is written.
 */
export function durationSchema({ atLeast = "0s", atMost }: DurationBounds = {}) {
  const within = (seconds: z.ZodNumber) => {
    const bounded = seconds.min(durationSeconds(atLeast), `must be at least ${atLeast}`);
    return atMost === undefined ? bounded : bounded.max(durationSeconds(atMost), `must be at most ${atMost}`);
  };
  const text = z
    .string()
    // Also the pattern the plan's JSON Schema gives editors.
    .regex(DURATION_TEXT)
    .transform((value, ctx) => {
      const seconds = parseDuration(value);
      if (seconds instanceof Error) {
        ctx.addIssue({ code: "custom", message: seconds.message });
        return z.NEVER;
      }
      return seconds;
    })
    .pipe(within(z.number()));
  return z
    .union([within(z.number()), text], {
      // Infinity and NaN (1e400 or .nan in YAML, 1e400 in JSON) are numbers no branch takes.
      error: (issue) => (typeof issue.input === "number" ? "must be a finite number" : "must be a duration: a number of seconds, or text such as 90s, 15m or 1h30m"),
    })
    .describe("A duration: seconds as a number, or text such as 90s, 15m, 2h or 1h30m.");
}

/** The seconds of a duration written in the code, such as a limit; one that does not parse is a bug. */
export function durationSeconds(duration: string): number {
  const seconds = parseDuration(duration);
  if (seconds instanceof Error) throw seconds;
  return seconds;
}
