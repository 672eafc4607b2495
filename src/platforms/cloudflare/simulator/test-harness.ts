import Cloudflare from "cloudflare";
import { afterEach } from "vitest";
import { type RunningSimulator, type StartSimulatorOptions, startCloudflareSimulator } from "./server.js";
import type { CreatedScript, NewScript } from "./simulator-control.js";

export const TEST_TOKEN = "test-token";
export const ACCOUNT_ID = "0123456789abcdef0123456789abcdef";
export const SCRIPT = "checkout";

export interface Envelope<Result> {
  success: boolean;
  errors: { code: number; message: string }[];
  messages: unknown[];
  result: Result;
  result_info?: { page: number; per_page: number; count: number; total_count: number; total_pages: number };
}

export interface VersionItem {
  id: string;
  number: number;
}

export interface SimulatorFixture extends CreatedScript {
  sim: RunningSimulator;
  client: Cloudflare;
  /** Raw HTTP against the API, with the test token unless `headers` say otherwise. */
  api(path: string, init?: RequestInit): Promise<Response>;
  /** GET through `api`, read as Cloudflare's envelope. */
  apiJson<Result>(path: string): Promise<Envelope<Result>>;
}

const running: RunningSimulator[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((sim) => sim.close()));
});

/** A simulator on a free port holding one script, closed after the test, with a real SDK client pointed at it. */
export async function startFixture(options: StartSimulatorOptions = {}, script: Partial<NewScript> = {}): Promise<SimulatorFixture> {
  const sim = await startCloudflareSimulator({ token: TEST_TOKEN, ...options });
  running.push(sim);
  const created = sim.control.createScript({ accountId: ACCOUNT_ID, script: SCRIPT, ...script });
  const client = new Cloudflare({ apiToken: TEST_TOKEN, baseURL: sim.url, maxRetries: 0 });
  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${sim.url}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${TEST_TOKEN}`, "content-type": "application/json", ...init.headers },
    });
  const apiJson = async <Result>(path: string) => (await (await api(path)).json()) as Envelope<Result>;
  return { ...created, sim, client, api, apiJson };
}

export const scriptPath = (rest = "") => `/accounts/${ACCOUNT_ID}/workers/scripts/${SCRIPT}${rest}`;

/** Virtual time for the simulator: it moves only when a test says so. */
export function virtualClock(startIso = "2026-03-01T12:00:00Z") {
  let nowMs = Date.parse(startIso);
  return {
    now: () => nowMs,
    advanceSeconds(seconds: number) {
      nowMs += seconds * 1000;
    },
  };
}
