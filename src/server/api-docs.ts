import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { Env, Hono } from "hono";

const SWAGGER_UI = dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));
const ASSETS: Record<string, string> = {
  "swagger-ui.css": "text/css; charset=utf-8",
  "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
};

const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Glidepath API</title>
  <link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
  <div id="api"></div>
  <script src="/docs/assets/swagger-ui-bundle.js"></script>
  <script src="/docs/assets/start.js"></script>
</body>
</html>`;

const START = `window.ui = SwaggerUIBundle({ url: "/api/v1/openapi.json", dom_id: "#api", deepLinking: true });`;

/** The API reference at /docs, served from this package so it works with no internet access. */
export function mountApiDocs<E extends Env>(app: Hono<E>): void {
  app.get("/docs", (c) => c.html(PAGE));
  app.get("/docs/assets/start.js", (c) => c.body(START, 200, { "content-type": "text/javascript; charset=utf-8" }));
  app.get("/docs/assets/:file", async (c) => {
    const file = c.req.param("file");
    const type = ASSETS[file];
    if (!type) return c.notFound();
    return c.body(await readFile(join(SWAGGER_UI, file)), 200, { "content-type": type, "cache-control": "public, max-age=86400" });
  });
}
