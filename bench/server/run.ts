import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

/**
 * Measures `glidepath serve` driving many releases at once on the local platform: how late the
 * engine begins work that is due (wake-up lag, p50 and p99) and how much memory the server holds.
 * The server, and the proxies it drives, each run in a child process of their own. The releases
 * soak at their first stage with a check every few seconds, so every one of them keeps the
 * engine busy for the whole measurement. Prints numbers only.
 */

const { values: flags } = parseArgs({
  options: {
    releases: { type: "string", default: process.env.BENCH_RELEASES ?? "1000" },
    seconds: { type: "string", default: process.env.BENCH_SECONDS ?? "330" },
    "check-interval": { type: "string", default: process.env.BENCH_CHECK_INTERVAL ?? "5" },
  },
});
const releaseCount = positiveNumber("--releases", flags.releases);
const seconds = positiveNumber("--seconds", flags.seconds);
const checkInterval = positiveNumber("--check-interval", flags["check-interval"]);
const databaseUrl = process.env.BENCH_DATABASE_URL;
/** Where the server writes a CPU profile when it stops, to see where its time goes. */
const profileDir = process.env.BENCH_PROFILE_DIR;

function positiveNumber(flag: string, text: string): number {
  const value = Number(text);
  if (!(value > 0)) throw new Error(`${flag} must be a number above 0, got ${text}`);
  return value;
}

const TOKEN = "gp_bench_0123456789abcdefghijklmnop";
const children: ChildProcess[] = [];

async function startChild(args: string[], env: NodeJS.ProcessEnv = {}, nodeArgs: string[] = []): Promise<string> {
  const child = spawn(process.execPath, [...nodeArgs, "--import", "tsx", ...args], { stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, ...env } });
  children.push(child);
  const [line] = (await Promise.race([once(createInterface({ input: child.stdout! }), "line"), once(child, "exit")])) as [string];
  if (typeof line !== "string") throw new Error(`${args.join(" ")} exited before it was ready`);
  return line;
}

async function api(server: string, path: string, json?: unknown): Promise<unknown> {
  const response = await fetch(`${server}/api/v1/teams/default${path}`, {
    method: json === undefined ? "GET" : "POST",
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
    body: json === undefined ? undefined : JSON.stringify(json),
  });
  const body = (await response.json()) as unknown;
  if (!response.ok) throw new Error(`${path}: ${response.status} ${JSON.stringify(body)}`);
  return body;
}

/** Runs `work` over the items, `concurrency` at a time. */
async function inParallel<T>(items: T[], concurrency: number, work: (item: T, index: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const index = next++;
        await work(items[index]!, index);
      }
    }),
  );
}

function metric(text: string, name: string, labels = ""): number {
  const line = text.split("\n").find((entry) => entry.startsWith(`${name}${labels} `));
  return line ? Number(line.split(" ")[1]) : Number.NaN;
}

const dataDir = await mkdtemp(join(tmpdir(), "glidepath-bench-serve-"));
try {
  process.stderr.write(`starting ${releaseCount} local proxies\n`);
  const adminUrls = JSON.parse(await startChild([fileURLToPath(new URL("proxies.ts", import.meta.url)), String(releaseCount)])) as string[];

  const cli = fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url));
  const ready = await startChild([cli, "serve", "--port", "0", "--data-dir", dataDir], {
    GLIDEPATH_BOOTSTRAP_TOKEN: TOKEN,
    ...(databaseUrl && { DATABASE_URL: databaseUrl, GLIDEPATH_SECRET_KEY: randomBytes(32).toString("hex") }),
  }, profileDir ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : []);
  const server = /(http:\/\/\S+)/.exec(ready)![1]!;
  process.stderr.write(`server at ${server} on ${databaseUrl ? "PostgreSQL" : "the embedded database"}\n`);

  await api(server, "/plans", {
    name: "bench",
    stages: [{ percent: 10, soak: "24h" }, { percent: 100 }],
    slos: [{ sli: "error_rate", max: 0.05 }],
    policy: { checkInterval: `${checkInterval}s` },
  });
  process.stderr.write(`connecting ${releaseCount} targets\n`);
  await inParallel(adminUrls, 16, async (adminUrl, index) => {
    await api(server, "/connections", { name: `proxy-${index}`, platform: "local", adminUrl });
    await api(server, "/targets", { name: `service-${index}`, connection: `proxy-${index}`, settings: {}, defaultPlan: "bench" });
  });

  process.stderr.write(`creating ${releaseCount} releases\n`);
  const createStarted = performance.now();
  await inParallel(adminUrls, 50, (_, index) => api(server, "/releases", { target: `service-${index}`, candidate: "v2", autoStart: true }));
  const createSeconds = (performance.now() - createStarted) / 1000;

  process.stderr.write(`measuring for ${seconds} s\n`);
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const metrics = await (await fetch(`${server}/metrics`)).text();
  const lag = (quantile: string) => metric(metrics, "glidepath_engine_wakeup_lag_seconds", `{quantile="${quantile}"}`) * 1000;
  const wakeUps = metric(metrics, "glidepath_engine_wakeup_lag_seconds_count");
  const rows = [
    ["releases running", String(metric(metrics, "glidepath_releases", '{state="running"}'))],
    ["releases created per second", (releaseCount / createSeconds).toFixed(0)],
    ["check interval", `${checkInterval} s`],
    ["wake-ups in the last 5 min", String(wakeUps)],
    ["checks run", String(metric(metrics, "glidepath_checks_total", '{verdict="insufficient_data"}') + (metric(metrics, "glidepath_checks_total", '{verdict="pass"}') || 0))],
    ["wake-up lag p50", `${lag("0.5").toFixed(1)} ms`],
    ["wake-up lag p90", `${lag("0.9").toFixed(1)} ms`],
    ["wake-up lag p99", `${lag("0.99").toFixed(1)} ms`],
    ["server resident memory", `${(metric(metrics, "glidepath_process_resident_memory_bytes") / 2 ** 20).toFixed(0)} MiB`],
    ["server heap used", `${(metric(metrics, "glidepath_nodejs_heap_size_used_bytes") / 2 ** 20).toFixed(0)} MiB`],
  ];
  const width = Math.max(...rows.map(([label]) => label!.length));
  process.stdout.write(`${rows.map(([label, value]) => `${label!.padEnd(width)}  ${value}`).join("\n")}\n`);
} finally {
  for (const child of children) child.kill("SIGTERM");
  await Promise.all(children.map((child) => (child.exitCode === null ? once(child, "exit") : undefined)));
  await rm(dataDir, { recursive: true, force: true });
}
