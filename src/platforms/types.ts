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
