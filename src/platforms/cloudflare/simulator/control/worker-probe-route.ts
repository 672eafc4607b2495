import { Hono } from "hono";
import type { SimulatorControl } from "../simulator-control.js";

/**
 * `GET /__sim/workers/:script/*`: answers as the Worker would, through Cloudflare's routing: the
 * version chosen by the `Cloudflare-Workers-Version-Key` and `Cloudflare-Workers-Version-Overrides`
 * headers (or at random by the split) answers 500 when it fails and 200 otherwise, with its id in
 * `cf-version-id`. The request counts in the metrics like any other.
 */
export function workerProbeRoute(control: SimulatorControl): Hono {
  const app = new Hono();
  app.get("/workers/:script/*", (c) => {
    const key = c.req.header("cloudflare-workers-version-key");
    const overrides = c.req.header("cloudflare-workers-version-overrides");
    const response = control.simulateRequest(c.req.param("script"), {
      ...(key === undefined ? {} : { key }),
      ...(overrides === undefined ? {} : { overrides }),
    });
    return c.json(
      { version: response.versionId, outcome: response.outcome, wallTimeMs: response.wallTimeMs },
      response.status,
      { "cf-version-id": response.versionId },
    );
  });
  return app;
}
