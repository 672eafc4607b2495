import { createServer } from "node:http";
import { getRequestListener } from "@hono/node-server";
import type { Split } from "../../core/split.js";
import { closeServer, type HostPort, listen } from "../../support/listen.js";
import { createAdminApi } from "./admin-api.js";
import type { SplitState } from "./admin-contract.js";
import { LiveSplit } from "./live-split.js";
import { createProxyMetrics } from "./proxy-metrics.js";
import { createProxyServer } from "./proxy-server.js";
import { TrafficStats } from "./traffic-stats.js";

export interface ProxyOptions {
  listen: HostPort;
  admin: HostPort;
  /** Upstream base URL per version, in the order given; the first one gets all traffic when no split is saved. */
  upstreams: ReadonlyMap<string, string>;
  /** Where the split is saved, so that it survives a restart. */
  stateFile: string;
  adminToken?: string;
  /** Where split changes are logged, one line each; stdout by default. */
  log?: (line: string) => void;
}

export interface ProxyHandle {
  proxyAddress: HostPort;
  adminAddress: HostPort;
  currentSplit(): SplitState;
  /** Saves and then serves `split`, like PUT /split. */
  setSplit(split: Split, note?: string): Promise<SplitState>;
  close(): Promise<void>;
}

/** Starts the traffic-splitting proxy and its admin API. */
export async function startProxy(options: ProxyOptions): Promise<ProxyHandle> {
  if (options.upstreams.size === 0) throw new Error("the proxy needs at least one upstream");
  const versions = [...options.upstreams.keys()];
  const liveSplit = await LiveSplit.open({
    stateFile: options.stateFile,
    versions,
    log: options.log ?? ((line) => process.stdout.write(`${line}\n`)),
  });
  const stats = new TrafficStats(Date.now());
  const metrics = createProxyMetrics(versions, () => liveSplit.state.split);

  const proxy = createProxyServer({
    upstreams: options.upstreams,
    router: () => liveSplit.router,
    onRequestDone(outcome) {
      stats.record(outcome);
      metrics.observe(outcome);
    },
  });
  const adminApi = createAdminApi({ liveSplit, upstreams: options.upstreams, stats, metrics, adminToken: options.adminToken });
  const adminServer = createServer(getRequestListener(adminApi.fetch));

  try {
    const proxyAddress = await listen(proxy.server, options.listen);
    const adminAddress = await listen(adminServer, options.admin);
    return {
      proxyAddress,
      adminAddress,
      currentSplit: () => liveSplit.state,
      setSplit: (split, note) => liveSplit.change(split, note),
      close: () => Promise.all([proxy.close(), closeServer(adminServer)]).then(() => undefined),
    };
  } catch (error) {
    await Promise.all([proxy.close(), closeServer(adminServer)]);
    throw error;
  }
}
