const SMALLEST_MS = 0.1;
// Each bucket is 2% wider than the one before, so a quantile read back is at most 2% high,
// and an hour of latencies up to a minute needs under 700 counters instead of every sample.
const GROWTH = 1.02;
const LOG_GROWTH = Math.log(GROWTH);

/** Counts latencies in logarithmic buckets, so memory stays small however long the load runs. */
export class LatencyHistogram {
  private readonly counts: number[] = [];
  private total = 0;

  record(latencyMs: number): void {
    const index = latencyMs <= SMALLEST_MS ? 0 : Math.ceil(Math.log(latencyMs / SMALLEST_MS) / LOG_GROWTH);
    while (this.counts.length <= index) this.counts.push(0);
    this.counts[index]! += 1;
    this.total += 1;
  }

  /** The latency that a share q (0 to 1) of the recorded ones do not exceed; undefined when empty. */
  quantile(q: number): number | undefined {
    if (this.total === 0) return undefined;
    const rank = Math.max(1, Math.ceil(q * this.total));
    let seen = 0;
    for (const [index, count] of this.counts.entries()) {
      seen += count;
      if (seen >= rank) return SMALLEST_MS * GROWTH ** index;
    }
    return undefined;
  }
}
