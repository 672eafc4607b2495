import { APIConnectionError, APIConnectionTimeoutError, APIError } from "cloudflare";
import { PlatformError } from "../types.js";

/** What a failed call was about, so its error can say what to check. */
export interface CallContext {
  /** What Glidepath was doing, as a verb phrase: "list the versions of Worker shop". */
  action: string;
  apiBaseUrl: string;
  accountId: string;
  worker: string;
  /** The clock that turns an HTTP-date Retry-After into a delay. */
  now: () => number;
}

export const TOKEN_PERMISSIONS = "Workers Scripts Edit and Account Analytics Read";

const AUTHENTICATION_ERROR = 10000;
const MISSING_CREDENTIALS = 9106;
const SCRIPT_NOT_FOUND = 10007;
const NO_ROUTE = 7003;

/** One entry of the envelope's `errors` array. */
interface EnvelopeError {
  code?: number;
  message?: string;
}

/**
 * Turns anything the Cloudflare SDK throws into a PlatformError that says what to do, and whether
 * retrying can help: network failures, timeouts, 408, 429 and 5xx can; everything else cannot.
 */
export function explainFailure(error: unknown, context: CallContext): Error {
  if (error instanceof PlatformError) return error;
  if (error instanceof APIConnectionTimeoutError) {
    return new PlatformError(`the Cloudflare API at ${context.apiBaseUrl} did not answer in time while trying to ${context.action}`, true);
  }
  if (error instanceof APIConnectionError) {
    return new PlatformError(`cannot reach the Cloudflare API at ${context.apiBaseUrl} (${connectionCause(error)})`, true);
  }
  if (error instanceof APIError && error.status !== undefined) {
    return explainRefusal(error.status, envelopeErrors(error), error.headers, context);
  }
  return error instanceof Error ? error : new Error(String(error));
}

/** The PlatformError for an HTTP answer that is not a success. */
function explainRefusal(status: number, errors: EnvelopeError[], headers: Headers | undefined, context: CallContext): PlatformError {
  const codes = new Set(errors.map((entry) => entry.code));
  const said = cloudflareSaid(status, errors);

  if (status === 401 || codes.has(AUTHENTICATION_ERROR) || codes.has(MISSING_CREDENTIALS)) {
    return new PlatformError(`Cloudflare refused the API token: check CLOUDFLARE_API_TOKEN; it needs ${TOKEN_PERMISSIONS} (${said})`, false);
  }
  if (errors.some(({ code, message }) => code === SCRIPT_NOT_FOUND && !/version|deployment/i.test(message ?? ""))) {
    return new PlatformError(`no Worker named ${context.worker} in account ${context.accountId}: check --worker and --account-id`, false);
  }
  if (status === 403) {
    return new PlatformError(
      `the Cloudflare API token may not ${context.action}: give it ${TOKEN_PERMISSIONS} (and Workers Observability Read for --metrics observability) on account ${context.accountId} (${said})`,
      false,
    );
  }
  if (status === 429) {
    return new PlatformError(`Cloudflare is rate limiting this API token (${said})`, true, retryAfterMs(headers, context.now));
  }
  if (status === 408 || status >= 500) {
    return new PlatformError(`the Cloudflare API failed to ${context.action} (${said})`, true, retryAfterMs(headers, context.now));
  }
  if (status === 404 && (codes.has(NO_ROUTE) || errors.length === 0)) {
    return new PlatformError(
      `the Cloudflare API at ${context.apiBaseUrl} has no such endpoint (${said}): is the API base URL right? It ends in /client/v4`,
      false,
    );
  }
  return new PlatformError(`Cloudflare refused to ${context.action}: ${said}`, false);
}

/** "404 code 10007: This Worker does not exist", or just the status when the body said nothing. */
function cloudflareSaid(status: number, errors: EnvelopeError[]): string {
  const messages = errors
    .filter((entry) => entry.message)
    .map((entry) => (entry.code === undefined ? entry.message : `code ${entry.code}: ${entry.message}`));
  return messages.length > 0 ? `${status} ${messages.join("; ")}` : `HTTP ${status}`;
}

function envelopeErrors(error: APIError): EnvelopeError[] {
  return error.errors.map(({ code, message }) => ({ code, message }));
}

function connectionCause(error: APIConnectionError): string {
  const cause = error.cause as (Error & { code?: string; cause?: Error & { code?: string } }) | undefined;
  return cause?.cause?.code ?? cause?.code ?? cause?.message ?? error.message;
}

/** The delay a 429 or 5xx asks for: `retry-after-ms`, or `retry-after` in seconds or as an HTTP date. */
export function retryAfterMs(headers: Headers | undefined, now: () => number): number | undefined {
  const milliseconds = headers?.get("retry-after-ms");
  if (milliseconds && Number.isFinite(Number(milliseconds))) return Math.max(0, Number(milliseconds));
  const header = headers?.get("retry-after");
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now());
}
