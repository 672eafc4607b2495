import type { SliSample } from "../core/sli.js";
import type { Split } from "../core/split.js";

export interface Version {
  id: string;
  /** Where the version lives, when the platform has such a thing (an upstream URL, a script tag). */
  description?: string;
}

/** Something whose traffic can be split between versions. */
export interface DeploymentTarget {
  listVersions(): Promise<Version[]>;
  currentSplit(): Promise<Split>;
  /** Absolute and idempotent: applying the same split twice is harmless. */
  applySplit(split: Split, note: string): Promise<void>;
  /**
   * Makes `version` reachable through overrideHeaders() without giving it any traffic, and
   * returns once that has taken effect (Cloudflare: deploy it at 0% beside the stable version
   * and wait for propagation). Platforms that can always route by header do nothing.
   */
  prepareOverride(stable: string, version: string, note: string): Promise<void>;
  /** Request headers that send a request to `version` whatever the split: used by preflight probes. */
  overrideHeaders(version: string): Record<string, string>;
}

export interface MetricsWindow {
  from: Date;
  to: Date;
}

/** Per-version SLIs. A version without traffic in the window is absent from the map. */
export interface MetricsSource {
  query(window: MetricsWindow, versions: string[]): Promise<Map<string, SliSample>>;
}

/** The two adapters a release's platform provides. */
export interface PlatformConnection {
  target: DeploymentTarget;
  metrics: MetricsSource;
}

/**
 * A failure of a platform or metrics call, with a message a user can act on.
 * `retryable` is false when repeating the call cannot help (bad token, unknown version).
 */
export class PlatformError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = "PlatformError";
  }
}
