import type { Clock } from "../support/clock.js";
import type { IdentityStore } from "../store/identity-store.js";
import type { TeamReleases } from "../store/team-releases.js";

/** A retried request comes within minutes; a day is far beyond any client's retries. */
export const IDEMPOTENCY_KEY_LIFETIME_MS = 24 * 3_600_000;
const EVERY_MS = 3_600_000;

/** Forgets what no longer serves anyone: idempotency keys past their lifetime and ended sessions. */
export async function sweep(identities: IdentityStore, teamReleases: TeamReleases, now: number): Promise<void> {
  await teamReleases.forgetResponses(new Date(now - IDEMPOTENCY_KEY_LIFETIME_MS));
  await identities.deleteExpiredSessions(new Date(now));
}

/** Sweeps every hour until the returned function is called; a sweep that fails goes to `onError` and is tried again next hour. */
export function startHousekeeping(identities: IdentityStore, teamReleases: TeamReleases, clock: Clock, onError: (error: unknown) => void): () => void {
  const timer = setInterval(() => {
    sweep(identities, teamReleases, clock.now()).catch(onError);
  }, EVERY_MS);
  timer.unref();
  return () => clearInterval(timer);
}
