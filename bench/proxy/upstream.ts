import { createServer } from "node:http";
import { listen } from "../../src/support/listen.js";

/** The service behind the proxy in the benchmark: answers every request with the same small JSON body. */

const body = JSON.stringify({ ok: true, service: "bench-upstream" });
const server = createServer((_, response) => {
  response.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
  response.end(body);
});
const { port } = await listen(server, { host: "127.0.0.1", port: 0 });
process.stdout.write(`${JSON.stringify({ port })}\n`);
