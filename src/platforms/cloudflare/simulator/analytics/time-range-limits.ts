import { GraphqlQueryError } from "./selection.js";

/**
 * The widest time range one `workersInvocationsAdaptive` query may span: wider ones are refused
 * with "cannot request a time range wider than 1w" (field report; the dashboard's Workers
 * metrics also go in steps of at most a week).
 */
export const MAX_RANGE_SECONDS = 7 * 24 * 3600;

/** What a query's time range is checked against: now on the simulator's clock, and how long it keeps traffic. */
export interface TimeRangeLimits {
  nowMs: number;
  retentionSeconds: number;
}

/**
 * Refuses a range wider than MAX_RANGE_SECONDS, or one that starts before the retention, as
 * Cloudflare's GraphQL API does: `data: null` and an error with code "quota" (the message format
 * of Cloudflare's docs, the durations written as field reports show them, e.g. 1w or 4w3d).
 */
export function checkTimeRange({ fromMs, toMs }: { fromMs: number; toMs: number }, { nowMs, retentionSeconds }: TimeRangeLimits, path: readonly string[]): void {
  if (toMs - fromMs > MAX_RANGE_SECONDS * 1000) {
    throw new GraphqlQueryError(`cannot request a time range wider than ${compactDuration(MAX_RANGE_SECONDS)}`, path, "quota");
  }
  if (fromMs < nowMs - retentionSeconds * 1000) {
    throw new GraphqlQueryError(`cannot request data older than ${compactDuration(retentionSeconds)}`, path, "quota");
  }
}

const UNITS = [
  ["w", 7 * 24 * 3600],
  ["d", 24 * 3600],
  ["h", 3600],
  ["m", 60],
  ["s", 1],
] as const;

/** Seconds as Cloudflare writes a limit: 604800 is "1w", 2678400 is "4w3d". */
export function compactDuration(seconds: number): string {
  let left = Math.round(seconds);
  let text = "";
  for (const [unit, size] of UNITS) {
    const count = Math.floor(left / size);
    if (count > 0) text += `${count}${unit}`;
    left -= count * size;
  }
  return text || "0s";
}
