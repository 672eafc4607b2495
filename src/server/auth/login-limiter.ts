/** Failed sign-ins allowed per email and per address within the window before answers turn to 429. */
const MAX_FAILURES = 5;
const WINDOW_MS = 15 * 60_000;

/**
 * Slows password guessing: after MAX_FAILURES failed sign-ins for one email, or from one address,
 * further tries wait until the oldest failure leaves the window. Kept in memory per replica.
 */
export class LoginLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(private readonly now: () => number) {}

  /** Milliseconds to wait before another try, or 0 when one may go ahead now. */
  waitMs(email: string, address: string): number {
    return Math.max(this.waitFor(`email:${email.toLowerCase()}`), this.waitFor(`address:${address}`));
  }

  recordFailure(email: string, address: string): void {
    for (const key of [`email:${email.toLowerCase()}`, `address:${address}`]) {
      this.failures.set(key, [...this.recent(key), this.now()]);
    }
  }

  recordSuccess(email: string): void {
    this.failures.delete(`email:${email.toLowerCase()}`);
  }

  private waitFor(key: string): number {
    const recent = this.recent(key);
    if (recent.length === 0) this.failures.delete(key);
    return recent.length < MAX_FAILURES ? 0 : recent[recent.length - MAX_FAILURES]! + WINDOW_MS - this.now();
  }

  private recent(key: string): number[] {
    const since = this.now() - WINDOW_MS;
    return (this.failures.get(key) ?? []).filter((at) => at > since);
  }
}
