import { Pool } from "undici";
import { LogHistogram } from "../core/log-histogram.js";

export interface LoadOptions {
  url: string;
  /** Requests per second, sent on schedule whatever the service does. */
  rps: number;
  /** Stops after this long; without it the load runs until the signal aborts. */
  durationSeconds?: number;
  /** Each request carries `x-glidepath-key: k<N>` with N random below keys; 0 sends no key. Default 1000. */
  keys?: number;
  /** Stops the load at once; requests still in flight are cancelled and not counted. */
  signal?: AbortSignal;
  /** Called about once a second with the numbers so far. */
  onProgress?: (soFar: LoadSummary) => void;
  /** Requests due while this many are unanswered are skipped and counted as such. Default 2000. */
  maxInFlight?: number;
  /** Like Math.random (the default); picks the keys. */
  random?: () => number;
}

export interface LoadSummary {
  /** Requests sent. */
  sent: number;
  /** Responses received, whatever their status. */
  completed: number;
  byStatusClass: Record<string, number>;
  /** Responses per version, from `x-glidepath-version`, else `x-served-by`, else "unknown". */
  byVersion: Record<string, number>;
  /** Requests that got no response: refused connections, resets, timeouts. */
  transportErrors: number;
  /** Requests due but not sent because maxInFlight were unanswered. */
  skipped: number;
  latencyMs: { p50: number | undefined; p99: number | undefined };
  /** How long the load was sent. */
  durationSeconds: number;
}

const TICK_MS = 10;
const PROGRESS_EVERY_MS = 1000;
const REQUEST_TIMEOUT_MS = 10_000;

/**
 * Sends an open-loop load: requests leave on schedule whether or not earlier ones were answered,
 * so a slow service cannot slow the load down and its latency shows in full.
 */
export async function runLoad(options: LoadOptions): Promise<LoadSummary> {
  const { rps, durationSeconds, keys = 1000, maxInFlight = 2000, random = Math.random } = options;
  checkOptions(options);
  const target = new URL(options.url);
  const path = `${target.pathname}${target.search}`;
  const pool = new Pool(target.origin, { headersTimeout: REQUEST_TIMEOUT_MS, bodyTimeout: REQUEST_TIMEOUT_MS });
  let cancelled = false;
  const tally = new Tally();
  const inFlight = new Set<Promise<void>>();

  const sendOne = async () => {
    const headers: Record<string, string> = keys > 0 ? { "x-glidepath-key": `k${Math.floor(random() * keys)}` } : {};
    const sentAt = performance.now();
    try {
      const response = await pool.request({ method: "GET", path, headers });
      await response.body.dump();
      tally.response(response.statusCode, responseVersion(response.headers), performance.now() - sentAt);
    } catch {
      // A request cancelled by an abort is not the service's fault, so it is not counted.
      if (!cancelled) tally.transportError();
    }
  };

  return new Promise((resolve, reject) => {
    const startedAt = performance.now();
    let scheduled = 0;
    let lastProgressAt = startedAt;
    let stoppedAt: number | undefined;

    const summarize = (): LoadSummary => {
      const elapsedSeconds = ((stoppedAt ?? performance.now()) - startedAt) / 1000;
      return tally.summary(Math.min(elapsedSeconds, durationSeconds ?? Infinity));
    };

    const stop = () => {
      if (stoppedAt !== undefined) return;
      stoppedAt = performance.now();
      clearInterval(timer);
      // Lets the requests in flight finish; an abort meanwhile still cancels them.
      Promise.allSettled(inFlight)
        .then(() => {
          options.signal?.removeEventListener("abort", onAbort);
          return pool.destroy();
        })
        .then(() => resolve(summarize()), reject);
    };
    const onAbort = () => {
      cancelled = true;
      void pool.destroy(); // fails the requests in flight at once
      stop();
    };

    const tick = () => {
      const now = performance.now();
      const elapsedSeconds = Math.min((now - startedAt) / 1000, durationSeconds ?? Infinity);
      // Sending what is due since the start, rather than a fixed batch per tick, keeps late
      // timer ticks from making the load drift below the asked rate.
      const due = Math.floor(elapsedSeconds * rps);
      for (; scheduled < due; scheduled += 1) {
        if (inFlight.size >= maxInFlight) {
          tally.skip();
          continue;
        }
        tally.send();
        const request = sendOne().finally(() => inFlight.delete(request));
        inFlight.add(request);
      }
      if (options.onProgress && now - lastProgressAt >= PROGRESS_EVERY_MS) {
        lastProgressAt = now;
        options.onProgress(summarize());
      }
      if (durationSeconds !== undefined && elapsedSeconds >= durationSeconds) stop();
    };

    const timer = setInterval(tick, TICK_MS);
    if (options.signal?.aborted) onAbort();
    else options.signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** Counts what happened to the requests. */
class Tally {
  private sent = 0;
  private completed = 0;
  private transportErrors = 0;
  private skipped = 0;
  private readonly byStatusClass: Record<string, number> = { "2xx": 0, "3xx": 0, "4xx": 0, "5xx": 0 };
  private readonly byVersion: Record<string, number> = {};
  /** In microseconds: loopback answers often take well under a millisecond. */
  private readonly latenciesUs = new LogHistogram();

  send(): void {
    this.sent += 1;
  }

  skip(): void {
    this.skipped += 1;
  }

  transportError(): void {
    this.transportErrors += 1;
  }

  response(status: number, version: string, latencyMs: number): void {
    this.completed += 1;
    const statusClass = `${Math.floor(status / 100)}xx`;
    this.byStatusClass[statusClass] = (this.byStatusClass[statusClass] ?? 0) + 1;
    this.byVersion[version] = (this.byVersion[version] ?? 0) + 1;
    this.latenciesUs.record(latencyMs * 1000);
  }

  summary(durationSeconds: number): LoadSummary {
    return {
      sent: this.sent,
      completed: this.completed,
      byStatusClass: { ...this.byStatusClass },
      byVersion: { ...this.byVersion },
      transportErrors: this.transportErrors,
      skipped: this.skipped,
      latencyMs: { p50: this.quantileMs(0.5), p99: this.quantileMs(0.99) },
      durationSeconds: Math.round(durationSeconds * 1000) / 1000,
    };
  }

  private quantileMs(q: number): number | undefined {
    const us = this.latenciesUs.quantile(q);
    return us === undefined ? undefined : roundedMs(us / 1000);
  }
}

/** To 0.01 ms: the histogram is no more precise than that, and the numbers read better. */
function roundedMs(ms: number | undefined): number | undefined {
  return ms === undefined ? undefined : Math.round(ms * 100) / 100;
}

function responseVersion(headers: Record<string, string | string[] | undefined>): string {
  const version = headers["x-glidepath-version"] ?? headers["x-served-by"];
  return (Array.isArray(version) ? version[0] : version) ?? "unknown";
}

function checkOptions({ url, rps, durationSeconds, keys, maxInFlight }: LoadOptions): void {
  if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) {
    throw new RangeError(`url must be an http:// or https:// address, got "${url}"`);
  }
  if (!(rps > 0 && Number.isFinite(rps))) throw new RangeError(`rps must be a number above 0, got ${rps}`);
  if (durationSeconds !== undefined && !(durationSeconds > 0 && Number.isFinite(durationSeconds))) {
    throw new RangeError(`durationSeconds must be above 0, got ${durationSeconds}`);
  }
  if (keys !== undefined && !(Number.isInteger(keys) && keys >= 0)) {
    throw new RangeError(`keys must be a whole number >= 0, got ${keys}`);
  }
  if (maxInFlight !== undefined && !(Number.isInteger(maxInFlight) && maxInFlight > 0)) {
    throw new RangeError(`maxInFlight must be a whole number above 0, got ${maxInFlight}`);
  }
}
