import { mkdtemp } from "node:fs/promises";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startProxy } from "../../src/platforms/local/proxy.js";
import { listen } from "../../src/support/listen.js";

/**
 * The local platform for the server benchmark, in a process of its own: two upstream versions
 * and as many proxies (one per target) as the only argument says. Prints their admin URLs as a
 * JSON array on one line.
 */

const count = Number(process.argv[2]);
if (!(count > 0)) throw new Error("usage: proxies.ts COUNT");

async function upstream(name: string): Promise<string> {
  const server = createServer((_, response) => response.end(name));
  const { port } = await listen(server, { host: "127.0.0.1", port: 0 });
  return `http://127.0.0.1:${port}`;
}

const upstreams = new Map([
  ["v1", await upstream("v1")],
  ["v2", await upstream("v2")],
]);
const directory = await mkdtemp(join(tmpdir(), "glidepath-bench-server-"));
const adminUrls: string[] = [];
for (let index = 0; index < count; index++) {
  const proxy = await startProxy({
    listen: { host: "127.0.0.1", port: 0 },
    admin: { host: "127.0.0.1", port: 0 },
    upstreams,
    stateFile: join(directory, `split-${index}.json`),
    log: () => undefined,
  });
  adminUrls.push(`http://127.0.0.1:${proxy.adminAddress.port}`);
}
process.stdout.write(`${JSON.stringify(adminUrls)}\n`);
