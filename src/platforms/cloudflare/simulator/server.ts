import { createServer } from "node:http";
import { getRequestListener } from "@hono/node-server";
import { Hono } from "hono";
import { closeServer, listen } from "../../../support/listen.js";
import { createCloudflareApi } from "./api/cloudflare-api.js";
import { controlRoutes } from "./control/control-routes.js";
import { CloudflareSimulator, type SimulatorOptions } from "./simulator.js";
import type { SimulatorControl } from "./simulator-control.js";

export interface StartSimulatorOptions extends SimulatorOptions {
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** When set, the API needs `Authorization: Bearer <token>`; the control API never does. */
  token?: string;
}

export interface RunningSimulator {
  /** Base URL of the API, ending in /client/v4: give it to the SDK as `baseURL`. */
  url: string;
  /** Base URL of the control API, ending in /__sim. */
  controlUrl: string;
  control: SimulatorControl;
  close(): Promise<void>;
}

/** Serves the simulated Cloudflare API under /client/v4 and its control API under /__sim. */
export async function startCloudflareSimulator(options: StartSimulatorOptions = {}): Promise<RunningSimulator> {
  const sim = new CloudflareSimulator(options);
  const app = new Hono();
  app.route(
    "/client/v4",
    createCloudflareApi({
      state: sim.state,
      deploy: (script, request) => sim.deploy(script, request),
      faults: sim.faults,
      now: () => sim.clock.now(),
      traffic: sim,
      ...(options.token === undefined ? {} : { token: options.token }),
    }),
  );
  app.route("/__sim", controlRoutes(sim));
  app.notFound((c) => c.json({ error: { message: `no route ${c.req.method} ${c.req.path}; the API is under /client/v4, the control API under /__sim` } }, 404));

  const server = createServer(getRequestListener(app.fetch));
  const { host, port } = await listen(server, { host: options.host ?? "127.0.0.1", port: options.port ?? 0 });
  const origin = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  return {
    url: `${origin}/client/v4`,
    controlUrl: `${origin}/__sim`,
    control: sim,
    close: () => closeServer(server),
  };
}
