/**
 * Cloudflare's GraphQL Analytics API takes at most 300 queries per 5 minutes from one user
 * (developers.cloudflare.com/analytics/graphql-api/limits/); past that it answers 429 "rate
 * limiter budget depleted, try again after 5 minutes" (its error docs). Counted here per API
 * token, over the last five minutes of the simulator's clock.
 */
export const QUERIES_PER_WINDOW = 300;
export const WINDOW_MS = 5 * 60_000;

export class GraphqlBudget {
  private readonly spent = new Map<string, number[]>();

  constructor(private readonly now: () => number) {}

  /** Takes one query from the caller's budget; false when it has none left. */
  take(caller: string): boolean {
    const now = this.now();
    const recent = (this.spent.get(caller) ?? []).filter((at) => at > now - WINDOW_MS);
    if (recent.length >= QUERIES_PER_WINDOW) {
      this.spent.set(caller, recent);
      return false;
    }
    this.spent.set(caller, [...recent, now]);
    return true;
  }
}
