import { APIConnectionError, APIConnectionTimeoutError, APIError } from "cloudflare";
import { describe, expect, it } from "vitest";
import { PlatformError } from "../types.js";
import { type CallContext, explainFailure } from "./api-errors.js";

const NOW = Date.parse("2026-11-22T03:00:00Z");
const context: CallContext = {
  action: "list the versions of Worker shop",
  apiBaseUrl: "https://api.cloudflare.com/client/v4",
  accountId: "acc1",
  worker: "shop",
  now: () => NOW,
};

function refusal(status: number, errors: { code: number; message: string }[], headers: Record<string, string> = {}) {
  const body = { success: false, errors, messages: [], result: null };
  return explainFailure(APIError.generate(status, body, undefined, new Headers(headers)), context) as PlatformError;
}

describe("explainFailure", () => {
  it("blames the token, with the permissions it needs, for 401 and for codes 10000 and 9106", () => {
    for (const error of [
      refusal(401, [{ code: 10001, message: "Unable to authenticate request" }]),
      refusal(403, [{ code: 10000, message: "Authentication error" }]),
      refusal(400, [{ code: 9106, message: "Missing X-Auth-Key, X-Auth-Email or Authorization headers" }]),
    ]) {
      expect(error).toBeInstanceOf(PlatformError);
      expect(error.message).toMatch(/^Cloudflare refused the API token: check CLOUDFLARE_API_TOKEN; it needs Workers Scripts Edit and Account Analytics Read \(/);
      expect(error.retryable).toBe(false);
    }
  });

  it("says which permission is missing on any other 403", () => {
    const error = refusal(403, [{ code: 10002, message: "Forbidden" }]);
    expect(error.message).toBe(
      "the Cloudflare API token may not list the versions of Worker shop: give it Workers Scripts Edit and Account Analytics Read (and Workers Observability Read for --metrics observability) on account acc1 (403 code 10002: Forbidden)",
    );
    expect(error.retryable).toBe(false);
  });

  it("names the Worker and the account when the script does not exist", () => {
    const error = refusal(404, [{ code: 10007, message: "This Worker does not exist on your account." }]);
    expect(error.message).toBe("no Worker named shop in account acc1: check --worker and --account-id");
    expect(error.retryable).toBe(false);
    const version = refusal(404, [{ code: 10007, message: "workers.api.error.version_not_found" }]);
    expect(version.message).toBe("Cloudflare refused to list the versions of Worker shop: 404 code 10007: workers.api.error.version_not_found");
  });

  it("retries a 429 after the Retry-After it was given, in seconds or as a date", () => {
    const seconds = refusal(429, [{ code: 971, message: "Please wait and consider throttling your request speed" }], { "retry-after": "12" });
    expect(seconds.message).toBe("Cloudflare is rate limiting this API token (429 code 971: Please wait and consider throttling your request speed)");
    expect([seconds.retryable, seconds.retryAfterMs]).toEqual([true, 12_000]);

    const date = refusal(429, [], { "retry-after": new Date(NOW + 30_000).toUTCString() });
    expect(date.retryAfterMs).toBe(30_000);
    expect(refusal(429, [], { "retry-after-ms": "250" }).retryAfterMs).toBe(250);
    expect(refusal(429, []).retryAfterMs).toBeUndefined();
  });

  it("retries server errors", () => {
    const error = refusal(503, [{ code: 10013, message: "service unavailable" }], { "retry-after": "3" });
    expect(error.message).toBe("the Cloudflare API failed to list the versions of Worker shop (503 code 10013: service unavailable)");
    expect([error.retryable, error.retryAfterMs]).toEqual([true, 3000]);
    expect(refusal(500, []).message).toBe("the Cloudflare API failed to list the versions of Worker shop (HTTP 500)");
  });

  it("passes on Cloudflare's reason for refusing a request, as not retryable", () => {
    const error = refusal(400, [{ code: 10021, message: "a deployment takes one or two versions" }]);
    expect(error.message).toBe("Cloudflare refused to list the versions of Worker shop: 400 code 10021: a deployment takes one or two versions");
    expect(error.retryable).toBe(false);
  });

  it("suspects the base URL when the path has no route", () => {
    for (const error of [refusal(404, [{ code: 7003, message: "No route for that URI" }]), refusal(404, [])]) {
      expect(error.message).toMatch(/^the Cloudflare API at https:\/\/api\.cloudflare\.com\/client\/v4 has no such endpoint .*: is the API base URL right\? It ends in \/client\/v4$/);
      expect(error.retryable).toBe(false);
    }
  });

  it("retries when the API cannot be reached or does not answer in time", () => {
    const refused = Object.assign(new TypeError("fetch failed"), { cause: Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }) });
    const unreachable = explainFailure(new APIConnectionError({ cause: refused }), context) as PlatformError;
    expect(unreachable.message).toBe("cannot reach the Cloudflare API at https://api.cloudflare.com/client/v4 (ECONNREFUSED)");
    expect(unreachable.retryable).toBe(true);

    const slow = explainFailure(new APIConnectionTimeoutError(), context) as PlatformError;
    expect(slow.message).toBe("the Cloudflare API at https://api.cloudflare.com/client/v4 did not answer in time while trying to list the versions of Worker shop");
    expect(slow.retryable).toBe(true);
  });

  it("leaves errors that are not the API's alone", () => {
    const bug = new RangeError("oops");
    expect(explainFailure(bug, context)).toBe(bug);
  });
});
