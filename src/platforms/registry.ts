import type { TargetRef } from "../core/release.js";
import { connectCloudflare, METRICS_SOURCES, type MetricsSourceName } from "./cloudflare/connect.js";
import { verifyAccount } from "./cloudflare/verify-account.js";
import { LocalMetricsSource } from "./local/metrics-source.js";
import { LocalTarget } from "./local/target.js";
import type { PlatformConnection } from "./types.js";

/** Credentials given at run time; they are never stored with a release. */
export interface PlatformSecrets {
  proxyToken?: string;
  cloudflareApiToken?: string;
}

export const PLATFORMS = ["local", "cloudflare"] as const;

/**
 * Connects to a release's platform: the one place that knows every platform by name. A target's
 * config is stored with its release, so it holds only strings and no secrets.
 */
export function connectPlatform(ref: TargetRef, secrets: PlatformSecrets): PlatformConnection {
  const config = ref.config;
  switch (ref.platform) {
    case "local": {
      const options = { adminUrl: setting(config, "proxyAdmin"), token: secrets.proxyToken };
      return { target: new LocalTarget(options), metrics: new LocalMetricsSource(options) };
    }
    case "cloudflare": {
      if (!secrets.cloudflareApiToken) throw new Error("a Cloudflare target needs an API token: set CLOUDFLARE_API_TOKEN");
      const metrics = setting(config, "metrics") as MetricsSourceName;
      if (!METRICS_SOURCES.includes(metrics)) throw new Error(`unknown Cloudflare metrics source "${metrics}"; use ${METRICS_SOURCES.join(" or ")}`);
      return connectCloudflare({
        accountId: setting(config, "accountId"),
        worker: setting(config, "worker"),
        apiToken: secrets.cloudflareApiToken,
        apiBaseUrl: config.apiBaseUrl,
        metrics,
        lagSeconds: optionalNumber(config, "lagSeconds"),
        propagationDelayMs: optionalNumber(config, "propagationDelayMs"),
      });
    }
    default:
      throw new Error(`unknown platform "${ref.platform}"; known: ${PLATFORMS.join(", ")}`);
  }
}

/**
 * Tries the platform account a target would use with one cheap call, before anyone relies on it:
 * the local proxy's split, or whether a Cloudflare token may read the account's Workers.
 */
export async function verifyPlatformAccount(ref: TargetRef, secrets: PlatformSecrets): Promise<void> {
  if (ref.platform === "cloudflare") {
    if (!secrets.cloudflareApiToken) throw new Error("a Cloudflare target needs an API token: set CLOUDFLARE_API_TOKEN");
    await verifyAccount({ accountId: setting(ref.config, "accountId"), apiToken: secrets.cloudflareApiToken, apiBaseUrl: ref.config.apiBaseUrl });
    return;
  }
  await connectPlatform(ref, secrets).target.currentSplit();
}

function setting(config: Record<string, string>, key: string): string {
  const value = config[key];
  if (!value) throw new Error(`the target's settings lack ${key}`);
  return value;
}

function optionalNumber(config: Record<string, string>, key: string): number | undefined {
  return config[key] === undefined ? undefined : Number(config[key]);
}
