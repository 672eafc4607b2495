import { PlatformError } from "../platforms/types.js";
import type { Clock } from "../support/clock.js";

export interface RetryOptions {
  clock: Clock;
  signal?: AbortSignal;
  /** Give up after this many attempts; Infinity keeps going while the error is retryable. */
  attempts: number;
  /**
   * Wait this long between attempts instead of backing off: for a call that must land as soon as
   * the platform is back (a rollback), at the cost of asking more often while it is away.
   */
  fixedDelayMs?: number;
  onRetry?: (error: Error, delayMs: number) => void;
}

const BASE_DELAY_MS = 500;
const MAX_DELAY_MS = 30_000;

/**
 * Calls `action` until it succeeds, backing off exponentially (with jitter) between attempts, or
 * by a fixed delay, and waiting at least as long as a Retry-After the platform sent. Errors that
 * no retry can fix are thrown at once.
 */
export async function withRetry<T>(action: () => Promise<T>, options: RetryOptions): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await action();
    } catch (error) {
      const retryable = error instanceof PlatformError ? error.retryable : false;
      if (!retryable || attempt >= options.attempts || options.signal?.aborted) throw error;
      const backoff = options.fixedDelayMs ?? Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2);
      const delayMs = Math.max(backoff, (error as PlatformError).retryAfterMs ?? 0);
      options.onRetry?.(error as Error, delayMs);
      await options.clock.sleepUntil(options.clock.now() + delayMs, options.signal);
    }
  }
}
