import { type Database, pingDatabase } from "../store/database.js";
import { describeDatabaseError, isDatabaseUnavailable } from "../store/database-errors.js";
import type { Clock } from "../support/clock.js";

/** How often, during an outage, the database is asked whether it is back. */
const PROBE_INTERVAL_MS = 1000;
/** What a client is told to wait before trying again while the database is away. */
export const OUTAGE_RETRY_AFTER_SECONDS = 5;

/**
 * Tells of a database outage in two lines, when it begins and when it ends, however many
 * requests and wake-ups fail meanwhile: every one of them would otherwise log the failed query.
 * While it lasts the database is asked once a second whether it is back.
 */
export class DatabaseOutage {
  private since: number | undefined;
  private probe: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly log: (line: string) => void,
  ) {}

  get active(): boolean {
    return this.since !== undefined;
  }

  /** Takes note of a failure; true when it is the database being out of reach. */
  failed(error: unknown): boolean {
    if (!isDatabaseUnavailable(error)) return false;
    if (this.since === undefined) {
      this.since = this.clock.now();
      this.log(`the database does not answer (${describeDatabaseError(error)}); the API answers 503 and releases wait until it is back`);
      this.probe = setInterval(() => void this.check(), PROBE_INTERVAL_MS).unref();
    }
    return true;
  }

  /** Asks the database at once; ends the outage when it answers. */
  async check(): Promise<void> {
    if (this.since === undefined) return;
    if ((await pingDatabase(this.db)) !== undefined || this.since === undefined) return;
    this.log(`the database answers again, after ${Math.round((this.clock.now() - this.since) / 1000)} s`);
    this.since = undefined;
    this.stop();
  }

  stop(): void {
    clearInterval(this.probe);
    this.probe = undefined;
  }
}
