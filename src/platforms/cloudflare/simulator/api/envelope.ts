import type { ApiErrorDetail } from "../api-errors.js";

/** `result_info` of a paginated answer. */
export interface ResultInfo {
  page: number;
  per_page: number;
  count: number;
  total_count: number;
  total_pages: number;
}

/** Cloudflare's success envelope. */
export function successEnvelope<Result>(result: Result, resultInfo?: ResultInfo) {
  return { success: true as const, errors: [], messages: [], result, ...(resultInfo ? { result_info: resultInfo } : {}) };
}

/** Cloudflare's failure envelope; the HTTP status travels beside it. */
export function failureEnvelope(errors: ApiErrorDetail[]) {
  return { success: false as const, errors, messages: [], result: null };
}
