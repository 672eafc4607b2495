import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { build } from "vite";
import type { Person } from "./stack.js";

const ROOT = new URL("../../", import.meta.url);
/** Screenshots of every page, kept as the run's artifacts; the README's tour shows them. */
export const SCREENSHOT_DIR = fileURLToPath(new URL("artifacts/screenshots/", ROOT));
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** Builds the dashboard from this checkout's sources into `outDir`, for the server to serve. */
export async function buildDashboard(outDir: string): Promise<void> {
  await build({ configFile: fileURLToPath(new URL("web/vite.config.ts", ROOT)), logLevel: "warn", build: { outDir, emptyOutDir: true } });
}

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: install Debian's chromium package (.ci/run does) or set CHROMIUM_PATH`);
  }
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  return chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
}

/** A fresh browser session (its own cookies) signed in as `person`. */
export async function signedIn(browser: Browser, baseURL: string, person: Person, viewport = { width: 1280, height: 900 }): Promise<Page> {
  const context = await browser.newContext({ baseURL, viewport, reducedMotion: "reduce" });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  await page.goto("/");
  await page.getByLabel("Email").fill(person.email);
  await page.getByLabel("Password").fill(person.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("navigation", { name: "Sections" }).waitFor();
  return page;
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `${SCREENSHOT_DIR}${name}.png`, fullPage: true });
}
