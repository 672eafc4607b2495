import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Browser, Page } from "playwright-core";
import { verifySignature } from "../../src/notify/signature.js";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { buildDashboard, launchBrowser, screenshot, signedIn } from "./browser.js";
import { startStack, TARGET, type Stack } from "./stack.js";

/** Real rollouts take real time here: a few seconds of soak per stage, a check every second. */
const ROLLOUT = 60_000;

/** Every button that acts on a release; a viewer must see none of them. */
const RELEASE_ACTIONS = ["Start", "Approve", "Deny", "Pause", "Resume", "Promote now", "Cancel release", "Roll back now"];

/**
 * The dashboard in Debian's Chromium against a real `glidepath serve` on the local platform: people
 * sign in, write a plan, run releases and watch them as they would. The tests share one server and
 * run in order, each going on from where the last one left the service.
 */
describe("dashboard", { timeout: ROLLOUT * 2 }, () => {
  let stack: Stack;
  let browser: Browser;
  let admin: Page;
  let promotedRelease: string;

  beforeAll(async () => {
    [stack, browser] = await Promise.all([startStack(buildDashboard), launchBrowser()]);
    admin = await signedIn(browser, stack.url, stack.admin);
  }, 120_000);

  afterEach(async ({ task }) => {
    if (task.result?.state !== "fail") return;
    const pages = browser.contexts().flatMap((context) => context.pages());
    for (const [i, page] of pages.entries()) await screenshot(page, `failed-${task.name.slice(0, 40).replaceAll(/\W+/g, "-")}-${i}`);
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it("signs in and lands on the team's releases", async () => {
    await expect.poll(() => admin.title()).toBe("Releases · Glidepath");
    await admin.getByRole("heading", { name: "Releases", level: 1 }).waitFor();
  });

  it("writes a plan with a manual stage in the editor, checked as it is typed", async () => {
    await admin.goto("/t/default/plans/new");
    await admin.getByLabel("Plan name").fill("canary-manual");

    await admin.getByLabel("Stage 2 Percent").fill("4");
    await expect.poll(() => admin.getByText("must be greater than the previous stage's").first().isVisible()).toBe(true);
    await expect(admin.getByRole("button", { name: "Save plan" }).isDisabled()).resolves.toBe(true);

    await setStage(admin, 1, { percent: "20", soak: "3s" });
    await setStage(admin, 2, { percent: "50", soak: "2s", progression: "manual" });
    while (await admin.getByRole("button", { name: "Remove stage 4" }).isVisible()) await admin.getByRole("button", { name: "Remove stage 4" }).click();
    await setStage(admin, 3, { percent: "100", soak: "" });

    while (await admin.getByRole("button", { name: "Remove SLO 1" }).isVisible()) await admin.getByRole("button", { name: "Remove SLO 1" }).click();
    await admin.getByRole("button", { name: "Add SLO" }).click();
    await admin.getByLabel("SLO 1 SLI").selectOption("error_rate");
    await admin.getByLabel("SLO 1 Kind").selectOption("absolute");
    await admin.getByLabel("SLO 1 Maximum").fill("0.05");
    await admin.getByLabel("Check interval").fill("1s");
    await admin.getByLabel("Failure threshold").fill("1");
    await admin.getByLabel("Minimum requests").fill("20");

    const yaml = admin.getByLabel("Plan as YAML");
    await expect.poll(() => yaml.textContent()).toMatch(/progression: manual/);
    await screenshot(admin, "plan-editor");
    await admin.getByRole("button", { name: "Save plan" }).click();

    await expect.poll(async () => (await stack.api("/api/v1/teams/default/plans/canary-manual")).status).toBe(200);
    const { document: saved } = (await (await stack.api("/api/v1/teams/default/plans/canary-manual")).json()) as { document: { stages: { percent: number; progression?: string }[] } };
    expect(saved.stages.map(({ percent, progression = "auto" }) => `${percent} ${progression}`)).toEqual(["20 auto", "50 manual", "100 auto"]);
  });

  it("starts a release, shows the split change live, waits for approval and promotes after it", { timeout: ROLLOUT }, async () => {
    await admin.goto("/t/default/releases/new");
    await admin.getByLabel("Target").selectOption(TARGET);
    await admin.getByLabel("Candidate version").selectOption("v2");
    await admin.getByLabel("Plan").selectOption("canary-manual");
    await screenshot(admin, "new-release");
    await admin.getByRole("button", { name: "Create release" }).click();
    await admin.getByRole("button", { name: "Create and start" }).click();
    await admin.waitForURL(/\/t\/default\/releases\/(?!new$)[^/]+$/);
    promotedRelease = admin.url().split("/").at(-1)!;

    await admin.getByRole("img", { name: "Traffic split: v2 20%, v1 80%" }).first().waitFor({ timeout: ROLLOUT });
    await admin.getByRole("img", { name: "Traffic split: v2 50%, v1 50%" }).first().waitFor({ timeout: ROLLOUT });
    const approve = admin.getByRole("button", { name: "Approve", exact: true });
    await approve.waitFor({ timeout: ROLLOUT });
    await screenshot(admin, "release-awaiting-approval");

    await approve.click();
    const dialog = admin.getByRole("dialog");
    await expect(dialog.textContent()).resolves.toMatch(/v2/);
    await dialog.getByRole("button", { name: "Approve stage" }).click();

    await admin.getByText("Promoted", { exact: true }).first().waitFor({ timeout: ROLLOUT });
    for (const name of RELEASE_ACTIONS) expect(await admin.getByRole("button", { name, exact: true }).count(), name).toBe(0);
    await screenshot(admin, "release-promoted");

    await admin.goto("/t/default/targets");
    await admin.getByRole("img", { name: "Traffic split: v2 100%" }).waitFor();
  });

  it("rolls a faulty candidate back by itself and says why in one sentence", { timeout: ROLLOUT }, async () => {
    await admin.goto("/t/default/releases/new");
    await admin.getByLabel("Target").selectOption(TARGET);
    await admin.getByLabel("Candidate version").selectOption("v3");
    await admin.getByLabel("Plan").selectOption("canary-manual");
    await admin.getByRole("button", { name: "Create release" }).click();
    await admin.getByRole("button", { name: "Create and start" }).click();
    await admin.waitForURL(/\/t\/default\/releases\/(?!new$)[^/]+$/);

    const why = admin.getByRole("alert").filter({ hasText: /rolled back/i });
    await why.waitFor({ timeout: ROLLOUT });
    expect(await why.textContent()).toMatch(/error.rate/i);
    expect(await why.textContent()).toMatch(/v3/);
    await screenshot(admin, "release-rolled-back");

    await admin.goto("/t/default/targets");
    await admin.getByRole("img", { name: "Traffic split: v2 100%" }).waitFor();
  });

  it("shows the history, targets, plans, audit log and settings", async () => {
    const pages = [
      ["/t/default/releases", "Releases", "history"],
      ["/t/default/targets", "Targets", "targets"],
      ["/t/default/targets/new", "Connect a target", "connect-target"],
      ["/t/default/plans", "Plans", "plans"],
      ["/t/default/audit", "Audit log", "audit"],
      ["/t/default/settings/members", "Settings", "settings-members"],
      ["/t/default/settings/tokens", "Settings", "settings-tokens"],
    ] as const;
    for (const [path, heading, name] of pages) {
      await admin.goto(path);
      await admin.getByRole("heading", { name: heading, level: 1 }).waitFor();
      await admin.getByRole("status").filter({ hasText: /^Loading/ }).waitFor({ state: "detached" });
      await screenshot(admin, name);
    }
    await admin.goto("/t/default/releases");
    await admin.getByRole("link", { name: /storefront v3|v3/ }).first().waitFor();
    await admin.goto("/t/default/audit");
    await admin.getByText("release.create").first().waitFor();
  });

  it("refuses to save a connection the platform does not answer, and says why", async () => {
    await admin.goto("/t/default/targets/new");
    await admin.getByLabel("Target name").fill("checkout");
    await admin.getByLabel("Platform").selectOption("local");
    await admin.getByLabel("Proxy admin URL").fill("http://127.0.0.1:9");
    await admin.getByLabel("Connection name").fill("nowhere");
    await admin.getByRole("button", { name: "Test and save" }).click();

    const refusal = admin.getByRole("alert").filter({ hasText: "Nothing was saved" });
    await refusal.waitFor();
    expect(await refusal.textContent()).toMatch(/127\.0\.0\.1:9/);
    const { connections } = (await (await stack.api("/api/v1/teams/default/connections")).json()) as { connections: { name: string }[] };
    expect(connections.map((connection) => connection.name)).toEqual(["local-proxy"]);
  });

  it("shows a new API token once, and it works", async () => {
    await admin.context().grantPermissions(["clipboard-read", "clipboard-write"]);
    await admin.goto("/t/default/settings/tokens");
    await admin.getByLabel("Token name").fill("ci-deploys");
    await admin.getByLabel("Role", { exact: true }).selectOption("deployer");
    await admin.getByRole("button", { name: "Create token" }).click();
    await admin.getByRole("button", { name: "Copy token" }).click();
    await admin.getByRole("status").filter({ hasText: "Copied" }).waitFor();
    const secret = await admin.evaluate<string>("navigator.clipboard.readText()");
    expect(secret).toMatch(/^gp_/);
    expect(await admin.locator("code").filter({ hasText: secret }).isVisible()).toBe(true);
    await screenshot(admin, "settings-new-token");

    const asToken = await fetch(`${stack.url}/api/v1/teams/default/releases`, { headers: { authorization: `Bearer ${secret}` } });
    expect(asToken.status).toBe(200);
    await admin.getByRole("button", { name: "I have saved it" }).click();
    await admin.reload();
    await admin.getByRole("cell", { name: /ci-deploys/ }).first().waitFor();
    expect(await admin.getByText(secret).count()).toBe(0);
  });

  it("sends a signed test notification to a webhook channel and shows it was delivered", async () => {
    const received: { verified: boolean; body: string }[] = [];
    const receiver = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        const body = Buffer.concat(chunks);
        received.push({ verified: verifySignature("hook-secret-123", request.headers, body, Date.now()).ok, body: body.toString() });
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    try {
      await admin.goto("/t/default/settings/channels");
      await admin.getByLabel("Channel name").fill("deploy-hook");
      await admin.getByLabel("Kind").selectOption("webhook");
      await admin.getByLabel("Webhook URL").fill(`http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`);
      await admin.getByLabel("Signing secret").fill("hook-secret-123");
      await admin.getByRole("button", { name: "Add channel" }).click();

      const card = admin.getByRole("region", { name: "deploy-hook" });
      await card.getByRole("button", { name: "Send test" }).click();
      await card.getByText(/Test delivered/).waitFor();
      expect(received).toHaveLength(1);
      expect(received[0]!.verified).toBe(true);
      await screenshot(admin, "settings-channels");
    } finally {
      await new Promise((resolve) => receiver.close(resolve));
    }
  });

  it("shows a viewer no action they may not take, and works in a narrow window", async () => {
    const viewer = await signedIn(browser, stack.url, stack.viewer, { width: 390, height: 844 });
    await viewer.goto(`/t/default/releases/${promotedRelease}`);
    await viewer.getByRole("heading", { name: "Stages" }).waitFor();
    for (const name of RELEASE_ACTIONS) expect(await viewer.getByRole("button", { name, exact: true }).count(), name).toBe(0);
    await screenshot(viewer, "release-narrow-viewer");

    await viewer.goto("/t/default/releases");
    await viewer.getByRole("heading", { name: "Releases", level: 1 }).waitFor();
    expect(await viewer.getByRole("link", { name: "New release" }).count()).toBe(0);
    await viewer.goto("/t/default/targets");
    await viewer.getByRole("heading", { name: "Targets", level: 1 }).waitFor();
    expect(await viewer.getByRole("link", { name: "Connect a target" }).count()).toBe(0);
    expect(await viewer.getByRole("button", { name: "Connect a target" }).count()).toBe(0);
    const bodyWidth = await viewer.evaluate("document.documentElement.scrollWidth");
    expect(bodyWidth).toBeLessThanOrEqual(390);
  });
});

async function setStage(page: Page, stage: number, fields: { percent: string; soak: string; progression?: "auto" | "manual" }) {
  await page.getByLabel(`Stage ${stage} Percent`).fill(fields.percent);
  await page.getByLabel(`Stage ${stage} Soak`).fill(fields.soak);
  await page.getByLabel(`Stage ${stage} Progression`).selectOption(fields.progression ?? "auto");
}
