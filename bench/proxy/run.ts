import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { availableParallelism } from "node:os";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import autocannon, { type Result } from "autocannon";

/**
 * Measures what the proxy adds: the same load first straight at a tiny upstream, then through
 * the proxy, once at a fixed rate and once as fast as possible. Each server runs in a child
 * process of its own, so the load generator does not share their event loop. Prints numbers only.
 */

const { values: flags } = parseArgs({
  options: {
    rate: { type: "string", default: process.env.BENCH_RATE ?? "2000" },
    duration: { type: "string", default: process.env.BENCH_DURATION ?? "10" },
    connections: { type: "string", default: process.env.BENCH_CONNECTIONS ?? "50" },
    warmup: { type: "string", default: process.env.BENCH_WARMUP ?? "2" },
  },
});
const rate = positiveNumber("--rate", flags.rate);
const duration = positiveNumber("--duration", flags.duration);
const connections = positiveNumber("--connections", flags.connections);
const warmup = positiveNumber("--warmup", flags.warmup);

function positiveNumber(flag: string, text: string): number {
  const value = Number(text);
  if (!(value > 0)) throw new Error(`${flag} must be a number above 0, got ${text}`);
  return value;
}

const children: ChildProcess[] = [];

/** Starts a bench script in a child process and waits for the port it prints. */
async function startChild(script: string, ...args: string[]): Promise<string> {
  const child = spawn(process.execPath, ["--import", "tsx", fileURLToPath(new URL(script, import.meta.url)), ...args], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  children.push(child);
  const [line] = (await Promise.race([once(createInterface({ input: child.stdout! }), "line"), once(child, "exit")])) as [string];
  if (typeof line !== "string") throw new Error(`${script} exited before it was ready`);
  const { port } = JSON.parse(line) as { port: number };
  return `http://127.0.0.1:${port}/`;
}

interface Measurement {
  name: string;
  result: Result;
}

async function measure(name: string, url: string, overallRate?: number): Promise<Measurement> {
  process.stderr.write(`${name}: ${duration}s ${overallRate ? `at ${overallRate} rps` : "as fast as possible"}, ${connections} connections\n`);
  const result = await autocannon({ url, connections, duration, overallRate });
  if (result.errors + result.timeouts + result.non2xx > 0) {
    process.stderr.write(`  ${name}: ${result.errors} errors, ${result.timeouts} timeouts, ${result.non2xx} non-2xx answers\n`);
  }
  return { name, result };
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) => row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join("  ")).join("\n");
}

function report(title: string, direct: Measurement, proxied: Measurement): string {
  const row = ({ name, result }: Measurement) => [name, result.requests.average.toFixed(0), String(result.latency.p50), String(result.latency.p99), result.latency.average.toFixed(2)];
  const added = (key: "p50" | "p99" | "average") => proxied.result.latency[key] - direct.result.latency[key];
  return [
    title,
    table([
      ["", "rps", "p50 ms", "p99 ms", "mean ms"],
      row(direct),
      row(proxied),
      ["added by proxy", "", `+${added("p50")}`, `+${added("p99")}`, `+${added("average").toFixed(2)}`],
    ]),
  ].join("\n");
}

try {
  const upstreamUrl = await startChild("./upstream.ts");
  const proxyUrl = await startChild("./proxy-process.ts", upstreamUrl);

  await autocannon({ url: proxyUrl, connections, duration: warmup, overallRate: rate });

  const fixedDirect = await measure("direct", upstreamUrl, rate);
  const fixedProxied = await measure("through proxy", proxyUrl, rate);
  const maxDirect = await measure("direct", upstreamUrl);
  const maxProxied = await measure("through proxy", proxyUrl);

  process.stdout.write(`\nnode ${process.version}, ${availableParallelism()} CPUs shared by the load generator, the proxy and the upstream\n\n`);
  process.stdout.write(`${report(`fixed rate: ${rate} rps for ${duration}s, ${connections} connections`, fixedDirect, fixedProxied)}\n\n`);
  process.stdout.write(`${report(`max throughput: ${duration}s, ${connections} connections`, maxDirect, maxProxied)}\n`);
} finally {
  for (const child of children) child.kill();
}
