import { afterAll, afterEach, describe, expect, it } from "vitest";
import { systemClock } from "./clock.js";

const timers = () => process.getActiveResourcesInfo().filter((resource) => resource === "Timeout").length;

const warnings: string[] = [];
const onWarning = (warning: Error) => warnings.push(warning.name);
process.on("warning", onWarning);
afterEach(() => {
  warnings.length = 0;
});
afterAll(() => {
  process.off("warning", onWarning);
});

/** Lets pending callbacks and emitted warnings run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe("systemClock.sleepUntil", () => {
  it("sleeps until a command wakes it when the time never comes, with no timer to spin on", async () => {
    const before = timers();
    const waker = new AbortController();
    let woken = false;
    const sleep = systemClock.sleepUntil(Number.POSITIVE_INFINITY, waker.signal).then(() => (woken = true));
    await settle();
    expect(timers()).toBe(before);
    expect(warnings).toEqual([]);
    expect(woken).toBe(false);
    waker.abort();
    await sleep;
    expect(woken).toBe(true);
  });

  it("waits for a wake-up beyond setTimeout's range without overflowing it", async () => {
    const waker = new AbortController();
    const sleep = systemClock.sleepUntil(Date.now() + 40 * 24 * 3600 * 1000, waker.signal);
    await settle();
    expect(warnings).toEqual([]);
    waker.abort();
    await sleep;
  });

  it("returns at once for a time already past", async () => {
    await systemClock.sleepUntil(Date.now() - 1000);
  });
});
