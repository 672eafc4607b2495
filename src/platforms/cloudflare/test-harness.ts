import { createServer, type Server } from "node:http";
import { afterEach, expect } from "vitest";
import { closeServer, listen } from "../../support/listen.js";
import { PlatformError } from "../types.js";
import { CloudflareApi } from "./cloudflare-api.js";
import { VirtualClock } from "../../../test/support/virtual-clock.js";
import { type NewScript, type RunningSimulator, type SimulatorControl, type StartSimulatorOptions, startCloudflareSimulator } from "./simulator/index.js";

export const TOKEN = "glidepath-test-token";
export const ACCOUNT_ID = "feedfacefeedfacefeedfacefeedface";
export const WORKER = "storefront";

export interface SimulatedWorker {
  sim: RunningSimulator;
  control: SimulatorControl;
  clock: VirtualClock;
  /** Oldest first; the first serves 100% of traffic. */
  versionIds: string[];
  /** A client for the simulated Worker, with other settings when given. */
  api(overrides?: { worker?: string; accountId?: string; apiToken?: string; apiBaseUrl?: string }): CloudflareApi;
}

const running: RunningSimulator[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((sim) => sim.close()));
});

/** A simulator on a free port, in virtual time, holding one Worker; closed after the test. */
export async function simulatedWorker(script: Partial<NewScript> = {}, options: StartSimulatorOptions = {}): Promise<SimulatedWorker> {
  const clock = new VirtualClock(Date.parse("2026-11-22T03:00:00Z"));
  const sim = await startCloudflareSimulator({ token: TOKEN, clock, seed: 7, ...options });
  running.push(sim);
  const { versionIds } = sim.control.createScript({ accountId: ACCOUNT_ID, script: WORKER, ...script });
  const api = (overrides = {}) =>
    new CloudflareApi({ accountId: ACCOUNT_ID, worker: WORKER, apiToken: TOKEN, apiBaseUrl: sim.url, now: () => clock.now(), ...overrides });
  return { sim, control: sim.control, clock, versionIds, api };
}

/** The PlatformError a call fails with. */
export async function platformError(promise: Promise<unknown>): Promise<PlatformError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(PlatformError);
  return error as PlatformError;
}

export interface StubRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  body: unknown;
}

const stubs: Server[] = [];
afterEach(async () => {
  await Promise.all(stubs.splice(0).map((server) => closeServer(server)));
});

/** An HTTP server that answers every request with `answer(request)` as JSON, recording the requests; closed after the test. */
export async function stubApi(answer: (request: StubRequest) => { status?: number; body: unknown }) {
  const requests: StubRequest[] = [];
  const server = createServer(async (incoming, outgoing) => {
    let text = "";
    for await (const chunk of incoming) text += chunk;
    const request = { method: incoming.method ?? "", path: incoming.url ?? "", authorization: incoming.headers.authorization, body: text ? JSON.parse(text) : undefined };
    requests.push(request);
    const { status = 200, body } = answer(request);
    outgoing.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
  });
  const { port } = await listen(server, { host: "127.0.0.1", port: 0 });
  stubs.push(server);
  return { url: `http://127.0.0.1:${port}/client/v4`, requests };
}
