/** The engine's only source of time, so tests can run releases in virtual time. */
export interface Clock {
  now(): number;
  /**
   * Resolves at `time` (epoch ms), or early when the signal aborts. Never rejects. A time that
   * never comes (Infinity: a paused release, which only a command wakes) waits for the signal.
   */
  sleepUntil(time: number, signal?: AbortSignal): Promise<void>;
}

/** The longest delay setTimeout keeps: a longer one fires at once, with a TimeoutOverflowWarning. */
const LONGEST_TIMER_MS = 2 ** 31 - 1;

export const systemClock: Clock = {
  now: () => Date.now(),
  sleepUntil(time, signal) {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      let timer: NodeJS.Timeout | undefined;
      const wait = () => {
        const delay = time - Date.now();
        if (delay <= 0) return done();
        if (delay !== Infinity) timer = setTimeout(wait, Math.min(delay, LONGEST_TIMER_MS));
      };
      signal?.addEventListener("abort", done, { once: true });
      wait();
      function done() {
        clearTimeout(timer);
        signal?.removeEventListener("abort", done);
        resolve();
      }
    });
  },
};
