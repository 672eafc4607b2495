import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { closeServer, listen, type HostPort } from "../support/listen.js";

/** How badly the service behaves; changeable while it runs. */
export interface Faults {
  /** Share of requests answered with a 500, from 0 to 1. */
  errorRate: number;
  /** Delay added to every request. */
  latencyMs: number;
  /** Extra delay drawn uniformly from [0, latencyJitterMs] per request. */
  latencyJitterMs: number;
}

export interface SampleServiceOptions extends Partial<Faults> {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** The version this service stands for; answered in bodies and in `x-served-by`. */
  name: string;
  /**
   * Returns a number in [0, 1), like Math.random (the default). Drawn once per request to
   * decide on a failure, then once more for the jitter when latencyJitterMs > 0.
   */
  random?: () => number;
}

export interface SampleService {
  address: HostPort;
  url: string;
  faults(): Faults;
  /** Changes some knobs; throws without changing anything when one is out of range. */
  setFaults(changes: Partial<Faults>): void;
  close(): Promise<void>;
}

/** A small HTTP service with fault knobs, standing in for one version of a real service. */
export async function startSampleService(options: SampleServiceOptions): Promise<SampleService> {
  const { name, random = Math.random } = options;
  let faults = validFaults({
    errorRate: options.errorRate ?? 0,
    latencyMs: options.latencyMs ?? 0,
    latencyJitterMs: options.latencyJitterMs ?? 0,
  });
  const pendingReplies = new Set<NodeJS.Timeout>();

  const server = createServer((request, response) => {
    request.resume();
    const path = (request.url ?? "/").split("?")[0]!;
    if (request.method === "GET" && path === "/healthz") {
      sendJson(response, name, 200, { status: "ok", version: name });
      return;
    }
    const fails = random() < faults.errorRate;
    const delayMs = faults.latencyMs + (faults.latencyJitterMs > 0 ? random() * faults.latencyJitterMs : 0);
    const reply = () => {
      if (fails) sendJson(response, name, 500, { error: "injected failure", version: name });
      else sendJson(response, name, 200, { version: name, path });
    };
    if (delayMs === 0) {
      reply();
      return;
    }
    const timer = setTimeout(() => {
      pendingReplies.delete(timer);
      reply();
    }, delayMs);
    pendingReplies.add(timer);
  });

  const address = await listen(server, { host: options.host, port: options.port });
  return {
    address,
    url: `http://${formatHost(address.host)}:${address.port}`,
    faults: () => ({ ...faults }),
    setFaults(changes) {
      faults = validFaults({ ...faults, ...changes });
    },
    async close() {
      for (const timer of pendingReplies) clearTimeout(timer);
      pendingReplies.clear();
      await closeServer(server);
    },
  };
}

function validFaults(faults: Faults): Faults {
  const { errorRate, latencyMs, latencyJitterMs } = faults;
  if (!(errorRate >= 0 && errorRate <= 1)) {
    throw new RangeError(`errorRate must be between 0 and 1 (0.02 means 2%), got ${errorRate}`);
  }
  if (!(latencyMs >= 0 && Number.isFinite(latencyMs))) {
    throw new RangeError(`latencyMs must be a number of milliseconds >= 0, got ${latencyMs}`);
  }
  if (!(latencyJitterMs >= 0 && Number.isFinite(latencyJitterMs))) {
    throw new RangeError(`latencyJitterMs must be a number of milliseconds >= 0, got ${latencyJitterMs}`);
  }
  return { errorRate, latencyMs, latencyJitterMs };
}

function sendJson(response: ServerResponse<IncomingMessage>, name: string, status: number, body: object): void {
  if (response.destroyed) return;
  response.writeHead(status, { "content-type": "application/json", "x-served-by": name });
  response.end(JSON.stringify(body));
}

function formatHost(host: string): string {
  return host.includes(":") ? `[${host}]` : host;
}
