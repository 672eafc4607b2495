import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startProxy } from "../../src/platforms/local/proxy.js";

/** The proxy under test, in a process of its own: one version, pointed at the upstream URL given as the only argument. */

const upstreamUrl = process.argv[2];
if (!upstreamUrl) throw new Error("usage: proxy-process.ts UPSTREAM_URL");

const proxy = await startProxy({
  listen: { host: "127.0.0.1", port: 0 },
  admin: { host: "127.0.0.1", port: 0 },
  upstreams: new Map([["v1", upstreamUrl]]),
  stateFile: join(await mkdtemp(join(tmpdir(), "glidepath-bench-")), "proxy-split.json"),
  log: () => undefined,
});
process.stdout.write(`${JSON.stringify({ port: proxy.proxyAddress.port })}\n`);
