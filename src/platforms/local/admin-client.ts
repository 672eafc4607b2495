import { request } from "undici";
import type { z } from "zod";
import { PlatformError } from "../types.js";
import { errorSchema } from "./admin-contract.js";

export interface AdminClientOptions {
  /** Base URL of the proxy admin API, e.g. http://127.0.0.1:9901 */
  adminUrl: string;
  /** The proxy's admin token, when it was started with one. */
  token?: string;
  /** How long one call may take in all; 10 seconds by default. */
  timeoutMs?: number;
}

/** Calls the proxy admin API and turns every failure into a PlatformError that says what to do. */
export class AdminClient {
  private readonly baseUrl: string;

  constructor(private readonly options: AdminClientOptions) {
    this.baseUrl = options.adminUrl.replace(/\/+$/, "");
  }

  async call<T>(method: "GET" | "PUT", path: string, answerSchema: z.ZodType<T>, body?: unknown): Promise<T> {
    const timeoutMs = this.options.timeoutMs ?? 10_000;
    const headers: Record<string, string> = { accept: "application/json" };
    if (body !== undefined) headers["content-type"] = "application/json";
    if (this.options.token) headers.authorization = `Bearer ${this.options.token}`;

    let status: number;
    let retryAfter: string | undefined;
    let text: string;
    try {
      const response = await request(`${this.baseUrl}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
      status = response.statusCode;
      retryAfter = [response.headers["retry-after"]].flat()[0];
      text = await response.body.text();
    } catch (error) {
      throw this.unreachable(error as Error & { code?: string }, timeoutMs);
    }

    const answer = parseJson(text);
    if (status >= 200 && status < 300) {
      const parsed = answerSchema.safeParse(answer);
      if (parsed.success) return parsed.data;
      throw new PlatformError(`${this.baseUrl}${path} did not answer like the glidepath proxy admin API; is ${this.baseUrl} its admin address?`, false);
    }
    throw this.refused(status, path, errorSchema.safeParse(answer).data?.error.message, retryAfter);
  }

  private unreachable(error: Error & { code?: string }, timeoutMs: number): PlatformError {
    if (error.name === "TimeoutError") {
      return new PlatformError(`the proxy admin API at ${this.baseUrl} did not answer within ${timeoutMs / 1000}s`, true);
    }
    const reason = error.code ?? error.message;
    return new PlatformError(`cannot reach the proxy admin API at ${this.baseUrl}: is \`glidepath proxy\` running? (${reason})`, true);
  }

  private refused(status: number, path: string, message: string | undefined, retryAfter: string | undefined): PlatformError {
    if (status === 401) {
      const problem = this.options.token ? "refused the token" : "needs a token";
      return new PlatformError(`the proxy admin API at ${this.baseUrl} ${problem}; pass --proxy-token`, false);
    }
    if (status === 404 && message === undefined) {
      return new PlatformError(`${this.baseUrl} has no ${path}; is it the admin address of \`glidepath proxy\` (its --admin), not the traffic address?`, false);
    }
    if (status >= 500) {
      return new PlatformError(`the proxy admin API at ${this.baseUrl} failed (${status}${message ? `: ${message}` : ""})`, true, retryAfterMs(retryAfter));
    }
    return new PlatformError(message ?? `the proxy admin API at ${this.baseUrl} answered ${status} for ${path}`, false);
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Retry-After in seconds or as an HTTP date. */
function retryAfterMs(header: string | undefined): number | undefined {
  if (header === undefined) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}
