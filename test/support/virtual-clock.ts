import type { Clock } from "../../src/engine/clock.js";

/**
 * Virtual time for the engine: a sleep jumps the clock to its wake-up time at once, so a
 * 45-minute release runs in milliseconds and in the same order every time. A sleep with no end
 * (a paused release) waits for its signal, as in real time.
 */
export class VirtualClock implements Clock {
  constructor(private time = Date.UTC(2026, 0, 1)) {}

  now(): number {
    return this.time;
  }

  advance(ms: number) {
    this.time += ms;
  }

  async sleepUntil(time: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return;
    if (!Number.isFinite(time)) {
      await new Promise<void>((resolve) => signal?.addEventListener("abort", () => resolve(), { once: true }));
      return;
    }
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (!signal?.aborted) this.time = Math.max(this.time, time);
  }
}
