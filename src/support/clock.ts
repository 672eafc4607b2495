/** The engine's only source of time, so tests can run releases in virtual time. */
export interface Clock {
  now(): number;
  /** Resolves at `time` (epoch ms), or early when the signal aborts. Never rejects. */
  sleepUntil(time: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleepUntil(time, signal) {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const timer = setTimeout(done, Math.max(0, time - Date.now()));
      signal?.addEventListener("abort", done, { once: true });
      function done() {
        clearTimeout(timer);
        signal?.removeEventListener("abort", done);
        resolve();
      }
    });
  },
};
