import type { Clock } from "../../src/support/clock.js";

/**
 * Virtual time: a sleep jumps the clock to its wake-up time at once, so a 45-minute release runs
 * in milliseconds and in the same order every time. A sleep with no end (a paused release) waits
 * for its signal, as in real time. `sleeps` records how long each sleep asked for.
 */
export class VirtualClock implements Clock {
  readonly sleeps: number[] = [];

  constructor(public time = Date.UTC(2026, 0, 1)) {}

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
    this.sleeps.push(time - this.time);
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (!signal?.aborted) this.time = Math.max(this.time, time);
  }
}
