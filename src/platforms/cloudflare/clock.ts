import { setTimeout as sleep } from "node:timers/promises";

/** Time as the Cloudflare adapters see it; the engine's Clock fits, and tests pass a virtual one. */
export interface CloudflareClock {
  /** Epoch milliseconds. */
  now(): number;
  /** Resolves at `time` (epoch milliseconds). */
  sleepUntil(time: number): Promise<void>;
}

export const wallClock: CloudflareClock = {
  now: () => Date.now(),
  sleepUntil: async (time) => {
    await sleep(Math.max(0, time - Date.now()));
  },
};
