import { describe, expect, it } from "vitest";
import { PlatformError } from "../types.js";
import { settledWindow } from "./settled-window.js";

const at = (time: string) => new Date(`2026-11-22T${time}Z`);

describe("settledWindow", () => {
  it("keeps a window that ended before the lag", () => {
    const window = { from: at("03:00:00"), to: at("03:05:00") };
    expect(settledWindow(window, at("03:10:00").getTime(), 60, "the source")).toEqual(window);
  });

  it("clips the end of a window to now minus the lag", () => {
    const settled = settledWindow({ from: at("03:00:00"), to: at("03:05:00") }, at("03:05:00").getTime(), 60, "the source");
    expect(settled).toEqual({ from: at("03:00:00"), to: at("03:04:00") });
  });

  it("refuses, retryably, a window nothing of which has settled, and says when to ask again", () => {
    let error: unknown;
    try {
      settledWindow({ from: at("03:04:30"), to: at("03:05:00") }, at("03:05:00").getTime(), 60, "the source");
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(PlatformError);
    expect((error as PlatformError).message).toBe(
      "the metrics for this window are not in yet: the source lags about 60s behind, so nothing after 2026-11-22T03:04:00.000Z counts yet",
    );
    expect((error as PlatformError).retryable).toBe(true);
    expect((error as PlatformError).retryAfterMs).toBe(31_000);
  });
});
