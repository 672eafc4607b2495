import type { TargetRef } from "../core/release.js";
import { LocalMetricsSource } from "./local/metrics-source.js";
import { LocalTarget } from "./local/target.js";
import type { PlatformConnection } from "./types.js";

/** Credentials given at run time; they are never stored with a release. */
export interface PlatformSecrets {
  proxyToken?: string;
}

export const PLATFORMS = ["local"] as const;

/** Connects to a release's platform: the one place that knows every platform by name. */
export function connectPlatform(ref: TargetRef, secrets: PlatformSecrets): PlatformConnection {
  switch (ref.platform) {
    case "local": {
      const adminUrl = ref.config.proxyAdmin;
      if (!adminUrl) throw new Error("a local target needs the proxy admin URL (config.proxyAdmin)");
      const options = { adminUrl, token: secrets.proxyToken };
      return { target: new LocalTarget(options), metrics: new LocalMetricsSource(options) };
    }
    default:
      throw new Error(`unknown platform "${ref.platform}"; known: ${PLATFORMS.join(", ")}`);
  }
}
