import { request } from "undici";
import type { ProbeResult } from "../core/events.js";
import type { Probe } from "../core/plan.js";

/**
 * Sends each probe to the candidate (the headers route it there whatever the split) and records
 * what came back. Probes run one after another so their order in the timeline is the plan's.
 */
export async function runProbes(probes: Probe[], headers: Record<string, string>): Promise<ProbeResult[]> {
  const results: ProbeResult[] = [];
  for (const probe of probes) results.push(await runProbe(probe, headers));
  return results;
}

async function runProbe({ url, expectStatus, timeoutSeconds }: Probe, headers: Record<string, string>): Promise<ProbeResult> {
  const started = performance.now();
  const durationMs = () => Math.round(performance.now() - started);
  try {
    const response = await request(url, { headers, signal: AbortSignal.timeout(timeoutSeconds * 1000) });
    await response.body.dump();
    return { url, expectStatus, status: response.statusCode, error: null, durationMs: durationMs() };
  } catch (error) {
    const reason =
      error instanceof Error && error.name === "TimeoutError"
        ? `no answer within ${timeoutSeconds}s`
        : ((error as NodeJS.ErrnoException).code ?? (error as Error).message);
    return { url, expectStatus, status: null, error: reason, durationMs: durationMs() };
  }
}
