import { z } from "zod";
const UNIT_SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 };

/**
 * Reads a duration in seconds from "90s", "15m", "2h", "1h30m", "250ms" or a plain number of seconds.
 * Returns an Error naming the text when it is not a duration.
 */
export function parseDuration(input: string | number): number | Error {
  if (typeof input === "number") {
    return Number.isFinite(input) && input >= 0 ? input : new Error(`${input} is not a duration; use a number of seconds >= 0`);
  }
  const text = input.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text);
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)];
  if (parts.length === 0 || parts.map((part) => part[0]).join("") !== text) {
    return new Error(`"${input}" is not a duration; use for example 90s, 15m, 2h or a number of seconds`);
  }
  return parts.reduce((seconds, [, amount, unit]) => seconds + Number(amount) * UNIT_SECONDS[unit!]!, 0);
}

/** Short human form: 45s, 15m, 1h30m, 250ms. */
export function formatDuration(seconds: number): string {
  if (seconds < 1 && seconds > 0) return `${Math.round(seconds * 1000)}ms`;
  const whole = Math.round(seconds);
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = whole % 60;
  const parts = [h ? `${h}h` : "", m ? `${m}m` : "", s || whole === 0 ? `${s}s` : ""];
  return parts.join("");
}

/** A duration in a schema: seconds as a number, or text like `90s` or `1h30m`; read as seconds. */
export const durationSchema = z
  .union([z.number(), z.string()])
  .describe("A duration: seconds as a number, or text such as 90s, 15m, 2h or 1h30m.")
  .transform((value, ctx) => {
  const seconds = parseDuration(value);
  if (seconds instanceof Error) {
    ctx.addIssue({ code: "custom", message: seconds.message });
    return z.NEVER;
  }
  return seconds;
});
