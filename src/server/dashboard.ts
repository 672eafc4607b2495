import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { serveStatic } from "@hono/node-server/serve-static";
import type { Env, Hono } from "hono";

/** Where `npm run build:web` puts the dashboard: the same place from src/server and dist/server. */
export const DASHBOARD_DIR = fileURLToPath(new URL("../../dist/web", import.meta.url));

/** Paths the dashboard never answers, so a wrong API call or a missing asset stays a 404. */
const NOT_DASHBOARD = /^\/(api|assets|docs|setup|healthz|metrics)(\/|$)/;

/**
 * The dashboard: its hashed assets cached for good, and index.html for every other page, since
 * the single-page app routes in the browser.
 */
export function mountDashboard<E extends Env>(app: Hono<E>, dir = DASHBOARD_DIR): void {
  app.use("/assets/*", async (c, next) => {
    await next();
    if (c.res.ok) c.res.headers.set("cache-control", "public, max-age=31536000, immutable");
  });
  app.use("/assets/*", serveStatic({ root: dir }));
  app.get("/favicon.svg", serveStatic({ root: dir }));
  app.get("*", async (c, next) => {
    if (NOT_DASHBOARD.test(c.req.path)) return next();
    const index = join(dir, "index.html");
    if (!existsSync(index)) {
      return c.text("The dashboard is not built. Run `npm run build:web` (npm install does it too), then reload.", 503);
    }
    return c.html(await readFile(index, "utf8"), 200, { "cache-control": "no-cache" });
  });
}
