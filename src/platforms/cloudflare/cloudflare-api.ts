import Cloudflare from "cloudflare";
import type { z } from "zod";
import { PlatformError } from "../types.js";
import { explainFailure } from "./api-errors.js";

const DEFAULT_API_BASE_URL = "https://api.cloudflare.com/client/v4";

export interface CloudflareApiOptions {
  accountId: string;
  /** The Worker's name (its script name), as in wrangler's `name`. */
  worker: string;
  apiToken: string;
  /** Defaults to https://api.cloudflare.com/client/v4; point it at `glidepath sim cloudflare` to rehearse. */
  apiBaseUrl?: string;
  /** How long one call may take; 30 seconds by default. */
  timeoutMs?: number;
  /** Epoch milliseconds; only read to turn an HTTP-date Retry-After into a delay. */
  now?: () => number;
}

/**
 * The official SDK bound to one account and one Worker. The SDK does not retry (maxRetries 0):
 * Glidepath's engine retries with its own backoff, honouring the Retry-After this passes on.
 */
export class CloudflareApi {
  readonly accountId: string;
  readonly worker: string;
  readonly apiBaseUrl: string;
  private readonly sdk: Cloudflare;
  private readonly now: () => number;

  constructor(options: CloudflareApiOptions) {
    this.accountId = options.accountId;
    this.worker = options.worker;
    this.apiBaseUrl = (options.apiBaseUrl ?? DEFAULT_API_BASE_URL).replace(/\/+$/, "");
    this.now = options.now ?? Date.now;
    this.sdk = new Cloudflare({
      apiToken: options.apiToken,
      // Only the token authenticates: keys in the environment must not slip into requests.
      apiKey: null,
      apiEmail: null,
      userServiceKey: null,
      baseURL: this.apiBaseUrl,
      maxRetries: 0,
      timeout: options.timeoutMs ?? 30_000,
    });
  }

  /**
   * Runs one SDK call and checks its answer against `answer`. Any failure becomes a PlatformError
   * that names `action`, a verb phrase such as "list the versions of Worker shop".
   */
  async call<T>(action: string, answer: z.ZodType<T>, request: (sdk: Cloudflare) => PromiseLike<unknown>): Promise<T> {
    let body: unknown;
    try {
      body = await request(this.sdk);
    } catch (error) {
      throw explainFailure(error, { action, apiBaseUrl: this.apiBaseUrl, accountId: this.accountId, worker: this.worker, now: this.now });
    }
    const parsed = answer.safeParse(body);
    if (parsed.success) return parsed.data;
    throw new PlatformError(
      `${this.apiBaseUrl} did not answer like the Cloudflare API when asked to ${action} (${parsed.error.issues[0]?.message}); is the API base URL right?`,
      false,
    );
  }
}
