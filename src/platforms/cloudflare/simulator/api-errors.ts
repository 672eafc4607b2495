/**
 * Every failure the simulated API answers, with its HTTP status and Cloudflare error code.
 * Codes marked "confirmed" are ones Cloudflare is known to send for the same case; the others
 * had to be chosen (see docs/cloudflare-simulator.md).
 */
export interface ApiErrorDetail {
  code: number;
  message: string;
}

export class ApiFailure extends Error {
  override name = "ApiFailure";
  readonly errors: ApiErrorDetail[];

  constructor(
    readonly status: 400 | 403 | 404 | 429 | 500 | 502 | 503,
    code: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.errors = [{ code, message }];
  }
}

/** Confirmed: no credentials at all. */
export const missingCredentials = () => new ApiFailure(400, 9106, "Missing X-Auth-Key, X-Auth-Email or Authorization headers");

/** Confirmed code: an Authorization header that is not "Bearer <token>" (the real API adds an error chain with 6111). */
export const malformedAuthorization = () => new ApiFailure(400, 6003, "Invalid request headers");

/** Confirmed: a token that is not valid, and (chosen) an account the token cannot reach. */
export const authenticationError = () => new ApiFailure(403, 10000, "Authentication error");

/** Confirmed. */
export const scriptNotFound = () => new ApiFailure(404, 10007, "workers.api.error.script_not_found");

/** Chosen: the Workers not-found code, with a message naming what is missing. */
export const versionNotFound = () => new ApiFailure(404, 10007, "workers.api.error.version_not_found");

/** Chosen: the Workers not-found code, with a message naming what is missing. */
export const deploymentNotFound = () => new ApiFailure(404, 10007, "workers.api.error.deployment_not_found");

/** Confirmed. */
export const noRoute = (path: string) => new ApiFailure(404, 7003, `Could not route to ${path}, perhaps your object identifier is invalid?`);

/** Chosen: every rejected deployment or request body (bad JSON, bad split, unknown version). */
export const invalidRequest = (message: string) => new ApiFailure(400, 10021, message);

/** The global rate limit's code as public reports show it (below the usual 1000 and up, and not in Cloudflare's docs). */
export const rateLimited = (retryAfterSeconds: number, headers: Record<string, string>) =>
  new ApiFailure(429, 971, "Please wait and consider throttling your request speed", { "retry-after": String(retryAfterSeconds), ...headers });

/** Chosen: the Workers API's "unknown error" code, for injected server faults. */
export const injectedServerError = (status: 500 | 502 | 503) => new ApiFailure(status, 10013, "An unknown error has occurred");
