import { type MetricsWindow, PlatformError } from "../types.js";
import type { Clock } from "../../support/clock.js";

/** Settings of a metrics source whose newest numbers arrive late. */
export interface LaggingSourceOptions {
  /** How far behind real time the source's numbers are complete; the window's end is clipped to now minus this. */
  lagSeconds?: number;
  clock?: Clock;
}

/**
 * The part of `window` a lagging metrics source can have filled by `now`: its end is clipped to
 * `now - lagSeconds`. Reading the unsettled tail would count its missing requests as silence, so
 * when nothing of the window has settled yet this throws a retryable error that says when to ask again.
 */
export function settledWindow(window: MetricsWindow, now: number, lagSeconds: number, sourceName: string): MetricsWindow {
  const settledUntil = now - lagSeconds * 1000;
  const from = window.from.getTime();
  if (settledUntil <= from) {
    throw new PlatformError(
      `the metrics for this window are not in yet: ${sourceName} lags about ${lagSeconds}s behind, so nothing after ${new Date(settledUntil).toISOString()} counts yet`,
      true,
      from - settledUntil + 1000,
    );
  }
  return { from: window.from, to: new Date(Math.min(window.to.getTime(), settledUntil)) };
}
