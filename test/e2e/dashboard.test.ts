import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildDashboard, launchBrowser, screenshot, signedIn } from "./browser.js";
import { startStack, type Stack } from "./stack.js";

/**
 * The dashboard in Debian's Chromium against a real `glidepath serve` on the local platform: a
 * person signs in, writes a plan, runs releases and watches them, as they would.
 */
describe("dashboard", { timeout: 120_000 }, () => {
  let stack: Stack;
  let browser: Browser;
  let admin: Page;

  beforeAll(async () => {
    await buildDashboard();
    [stack, browser] = await Promise.all([startStack(), launchBrowser()]);
    admin = await signedIn(browser, stack.url, stack.admin);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it("signs in and lands on the team's releases", async () => {
    await expect.poll(() => admin.title()).toBe("Releases · Glidepath");
    await screenshot(admin, "releases");
  });
});
