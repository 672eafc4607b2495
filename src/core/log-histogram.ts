import { quantileFromHistogram } from "./histogram.js";

/** Buckets grow by this factor, so a quantile read from them is off by less than 5%. */
const GROWTH = 1.05;
/** The lowest bucket ends here (in the recorded unit); everything below counts in it. */
const SMALLEST = 1;
const BUCKET_COUNT = 400;

/** Ascending upper bounds of the buckets, the last one Infinity. */
const BOUNDS = Array.from({ length: BUCKET_COUNT }, (_, i) => (i === BUCKET_COUNT - 1 ? Infinity : SMALLEST * GROWTH ** i));

function bucketOf(value: number): number {
  if (value <= SMALLEST) return 0;
  return Math.min(BUCKET_COUNT - 1, Math.ceil(Math.log(value / SMALLEST) / Math.log(GROWTH)));
}

/**
 * Counts of observations in log-spaced buckets, keeping only the range of buckets in use, so a
 * second of simulated traffic, or an hour of load, costs a few hundred bytes however many
 * requests it had.
 */
export class LogHistogram {
  private offset = 0;
  private counts = new Uint32Array(0);

  get total(): number {
    return this.counts.reduce((sum, count) => sum + count, 0);
  }

  record(value: number): void {
    this.addToBucket(bucketOf(value), 1);
  }

  /** Adds another histogram's counts to this one. */
  merge(other: LogHistogram): void {
    other.counts.forEach((count, i) => {
      if (count > 0) this.addToBucket(other.offset + i, count);
    });
  }

  /** The q-quantile (0..1), or undefined when empty. */
  quantile(q: number): number | undefined {
    const dense = new Array<number>(BUCKET_COUNT).fill(0);
    this.counts.forEach((count, i) => (dense[this.offset + i] = count));
    return quantileFromHistogram(BOUNDS, dense, q);
  }

  private addToBucket(bucket: number, count: number): void {
    if (this.counts.length === 0) {
      this.offset = bucket;
      this.counts = new Uint32Array(1);
    } else if (bucket < this.offset || bucket >= this.offset + this.counts.length) {
      const start = Math.min(this.offset, bucket);
      const end = Math.max(this.offset + this.counts.length, bucket + 1);
      const grown = new Uint32Array(end - start);
      grown.set(this.counts, this.offset - start);
      this.offset = start;
      this.counts = grown;
    }
    this.counts[bucket - this.offset]! += count;
  }
}
