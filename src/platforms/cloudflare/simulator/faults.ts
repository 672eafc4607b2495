import { type ApiFailure, injectedServerError, rateLimited } from "./api-errors.js";
import { ControlError } from "./control-error.js";

export type FaultStatus = 429 | 500 | 502 | 503;

/** An injected failure of the API: for the next `count` requests, or until `untilMs` (epoch ms on the simulator's clock). */
export interface Fault {
  status: FaultStatus;
  count?: number;
  untilMs?: number;
  /** Sent as `retry-after` on 429 answers; defaults to 1. */
  retryAfterSeconds?: number;
}

/** The rate limit the simulator advertises in `x-ratelimit-limit`: Cloudflare's 1200 requests per 5 minutes. */
const RATE_LIMIT_PER_WINDOW = 1200;

/** Injected API faults and extra API latency, applied to every request under /client/v4. */
export class FaultInjector {
  private faults: Fault[] = [];
  extraLatencyMs = 0;

  inject(fault: Fault): void {
    if (![429, 500, 502, 503].includes(fault.status)) throw new ControlError(`a fault's status must be 429, 500, 502 or 503, got ${fault.status}`);
    if (fault.count === undefined && fault.untilMs === undefined) throw new ControlError("a fault needs a count of requests or an untilMs time");
    if (fault.count !== undefined && !(Number.isInteger(fault.count) && fault.count > 0)) {
      throw new ControlError(`a fault's count must be a whole number above 0, got ${fault.count}`);
    }
    this.faults.push({ ...fault });
  }

  setExtraLatency(ms: number): void {
    if (!(Number.isFinite(ms) && ms >= 0)) throw new ControlError(`extra latency must be 0 or more milliseconds, got ${ms}`);
    this.extraLatencyMs = ms;
  }

  clear(): void {
    this.faults = [];
    this.extraLatencyMs = 0;
  }

  /** The failure the request at `now` must get, if any; a counted fault uses up one request. */
  take(now: number): ApiFailure | undefined {
    this.faults = this.faults.filter((fault) => (fault.count === undefined || fault.count > 0) && (fault.untilMs === undefined || now < fault.untilMs));
    const fault = this.faults[0];
    if (!fault) return undefined;
    if (fault.count !== undefined) fault.count -= 1;
    if (fault.status !== 429) return injectedServerError(fault.status);
    const retryAfterSeconds = fault.retryAfterSeconds ?? 1;
    return rateLimited(retryAfterSeconds, {
      "x-ratelimit-limit": String(RATE_LIMIT_PER_WINDOW),
      "x-ratelimit-remaining": "0",
      "x-ratelimit-reset": String(retryAfterSeconds),
    });
  }
}
