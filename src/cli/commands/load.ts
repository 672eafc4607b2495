import type { Command } from "commander";
import { logUpdateStderr } from "log-update";
import pc from "picocolors";
import { request } from "undici";
import { formatDuration, parseDuration } from "../../core/duration.js";
import { runLoad, type LoadSummary } from "../../demo/load-generator.js";
import { UsageError } from "../exit-codes.js";
import { parseNumberFlag } from "../number-flag.js";
import { runCommand } from "../run-command.js";
import { onStopSignal } from "../stop-signal.js";

interface LoadFlags {
  url: string;
  rps: string;
  duration?: string;
  keys: string;
  json?: boolean;
}

const PROBE_TIMEOUT_MS = 5000;

export function registerLoadCommand(program: Command): void {
  program
    .command("load")
    .description("Send a steady load of requests, on schedule however slow the answers, and count what comes back")
    .requiredOption("--url <url>", "where to send requests, e.g. the splitting proxy")
    .requiredOption("--rps <n>", "requests per second")
    .option("--duration <duration>", "how long to run, e.g. 60s or 5m; without it, until Ctrl-C")
    .option("--keys <n>", "send x-glidepath-key: k<N> with N random below this; 0 sends none", "1000")
    .option("--json", "print the summary as one JSON object")
    .action(
      runCommand(async (flags: LoadFlags) => {
        const url = parseUrl(flags.url);
        const rps = parseNumberFlag("--rps", flags.rps, "a number above 0", (n) => n > 0);
        const keys = parseNumberFlag("--keys", flags.keys, "a whole number >= 0", (n) => Number.isInteger(n) && n >= 0);
        const durationSeconds = flags.duration === undefined ? undefined : parseDurationFlag(flags.duration);

        await checkSomethingAnswers(url);

        const stop = new AbortController();
        const stopListening = onStopSignal(() => stop.abort());
        const showProgress = process.stderr.isTTY;
        const summary = await runLoad({
          url,
          rps,
          durationSeconds,
          keys,
          signal: stop.signal,
          onProgress: showProgress ? (soFar) => logUpdateStderr(progressLine(soFar)) : undefined,
        }).finally(stopListening);
        if (showProgress) logUpdateStderr.clear();

        process.stdout.write(flags.json ? `${JSON.stringify(summary)}\n` : summaryText(summary));
      }),
    );
}

function parseUrl(text: string): string {
  const url = URL.canParse(text) ? new URL(text) : undefined;
  if (url?.protocol !== "http:" && url?.protocol !== "https:") {
    throw new UsageError(`--url must be an http:// or https:// address, e.g. http://127.0.0.1:8080, got "${text}"`);
  }
  return text;
}

function parseDurationFlag(text: string): number {
  const seconds = parseDuration(text);
  if (seconds instanceof Error) throw new UsageError(`--duration: ${seconds.message}`);
  if (seconds <= 0) throw new UsageError(`--duration must be longer than 0, got "${text}"`);
  return seconds;
}

/** One request before the load, so a wrong URL gives one clear message instead of a flood of errors. */
async function checkSomethingAnswers(url: string): Promise<void> {
  try {
    const response = await request(url, { headersTimeout: PROBE_TIMEOUT_MS, bodyTimeout: PROBE_TIMEOUT_MS });
    await response.body.dump();
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new Error(`nothing answers at ${url} (${reason}): start the proxy or service first`);
  }
}

function progressLine(soFar: LoadSummary): string {
  const rps = soFar.durationSeconds > 0 ? soFar.sent / soFar.durationSeconds : 0;
  const errors = soFar.byStatusClass["5xx"] ?? 0;
  return [
    `sent ${soFar.sent}`,
    `${rps.toFixed(0)} rps`,
    `2xx ${soFar.byStatusClass["2xx"] ?? 0} ${errors > 0 ? pc.red(`5xx ${errors}`) : "5xx 0"}`,
    versionShares(soFar.byVersion) || "no answers yet",
    `p99 ${formatLatency(soFar.latencyMs.p99)}`,
  ].join(pc.dim(" · "));
}

function summaryText(summary: LoadSummary): string {
  const { sent, completed, byStatusClass, byVersion, transportErrors, skipped, latencyMs, durationSeconds } = summary;
  const rps = durationSeconds > 0 ? sent / durationSeconds : 0;
  const statuses = Object.entries(byStatusClass)
    .filter(([statusClass, count]) => count > 0 || statusClass === "2xx" || statusClass === "5xx")
    .map(([statusClass, count]) => `${statusClass} ${count}`)
    .join("  ");
  return [
    `sent ${sent} requests in ${formatSeconds(durationSeconds)} (${rps.toFixed(1)} rps), ${completed} answered`,
    `  status    ${statuses}`,
    `  versions  ${versionShares(byVersion, { withCounts: true }) || "none answered"}`,
    `  latency   p50 ${formatLatency(latencyMs.p50)}  p99 ${formatLatency(latencyMs.p99)}`,
    `  ${transportErrors} without an answer (transport errors), ${skipped} skipped at the in-flight cap`,
    "",
  ].join("\n");
}

/** "v1 95.0%  v2 5.0%", largest share first. */
function versionShares(byVersion: Record<string, number>, { withCounts = false } = {}): string {
  const total = Object.values(byVersion).reduce((sum, count) => sum + count, 0);
  return Object.entries(byVersion)
    .sort(([, a], [, b]) => b - a)
    .map(([version, count]) => `${version} ${((count / total) * 100).toFixed(1)}%${withCounts ? ` (${count})` : ""}`)
    .join("  ");
}

function formatSeconds(seconds: number): string {
  return seconds < 60 ? `${Number(seconds.toFixed(1))}s` : formatDuration(seconds);
}

function formatLatency(ms: number | undefined): string {
  if (ms === undefined) return "-";
  return ms < 10 ? `${ms.toFixed(1)}ms` : `${Math.round(ms)}ms`;
}
