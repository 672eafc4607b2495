import { APIError } from "cloudflare";
import { z } from "zod";
import { CloudflareApi } from "./cloudflare-api.js";

const PROBE_WORKER = "glidepath-connection-check";
const SCRIPT_NOT_FOUND = 10007;

export interface AccountCredentials {
  accountId: string;
  apiToken: string;
  apiBaseUrl?: string;
}

/**
 * Checks that a token may read an account's Workers, before anything is saved with it. It lists
 * the versions of a Worker that should not exist: Cloudflare answers "no such Worker" only to a
 * token that may read the account's Workers, and refuses a bad token or a foreign account. Throws
 * the PlatformError the call would.
 */
export async function verifyAccount({ accountId, apiToken, apiBaseUrl }: AccountCredentials): Promise<void> {
  const api = new CloudflareApi({ accountId, worker: PROBE_WORKER, apiToken, apiBaseUrl, timeoutMs: 10_000 });
  await api.call(`read the Workers of account ${accountId}`, z.unknown(), async (sdk) => {
    try {
      return await sdk.workers.scripts.versions.list(PROBE_WORKER, { account_id: accountId, deployable: true });
    } catch (error) {
      if (error instanceof APIError && error.status === 404 && error.errors.some(({ code }) => code === SCRIPT_NOT_FOUND)) return null;
      throw error;
    }
  });
}
