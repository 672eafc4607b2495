import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runLoad } from "../../src/demo/load-generator.js";
import { startSampleService } from "../../src/demo/sample-service.js";
import { startProxy } from "../../src/platforms/local/proxy.js";

/** A service on the local platform: Glidepath's proxy in front of its versions, under steady load. */
export interface ServiceUnderLoad {
  /** The proxy's admin address: what a local-platform connection names. */
  adminUrl: string;
  close(): Promise<void>;
}

/** v1 and v2 are healthy; v3 fails half of its requests. */
export const VERSIONS = { v1: 0, v2: 0, v3: 0.5 } as const;

const LOOPBACK = { host: "127.0.0.1", port: 0 };

/** Starts a sample service per version (the first serves all traffic until a split is set), the proxy, and `rps` of load. */
export async function startServiceUnderLoad({ rps = 200, latencyMs = 2 }: { rps?: number; latencyMs?: number } = {}): Promise<ServiceUnderLoad> {
  const dir = await mkdtemp(join(tmpdir(), "glidepath-service-"));
  const versions = Object.entries(VERSIONS);
  const services = await Promise.all(
    versions.map(([name, errorRate]) => startSampleService({ ...LOOPBACK, name, errorRate, latencyMs, latencyJitterMs: latencyMs })),
  );
  const proxy = await startProxy({
    listen: LOOPBACK,
    admin: LOOPBACK,
    upstreams: new Map(services.map((service, i) => [versions[i]![0], service.url])),
    stateFile: join(dir, "split.json"),
    log: () => {},
  });
  const stopLoad = new AbortController();
  const load = runLoad({ url: `http://127.0.0.1:${proxy.proxyAddress.port}`, rps, signal: stopLoad.signal });
  return {
    adminUrl: `http://127.0.0.1:${proxy.adminAddress.port}`,
    async close() {
      stopLoad.abort();
      await load;
      await proxy.close();
      await Promise.all(services.map((service) => service.close()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
