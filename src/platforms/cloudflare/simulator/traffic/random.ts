/**
 * A seeded pseudo-random source (mulberry32) with the draws the traffic model needs, so a test
 * given a seed sees the same traffic every run.
 */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Standard normal, by Box-Muller. */
  normal(): number {
    const u = 1 - this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }

  /** Poisson with the given mean: exact below 30, a rounded normal above. */
  poisson(mean: number): number {
    if (mean <= 0) return 0;
    if (mean >= 30) return Math.max(0, Math.round(mean + Math.sqrt(mean) * this.normal()));
    const limit = Math.exp(-mean);
    let count = 0;
    for (let product = this.next(); product > limit; product *= this.next()) count++;
    return count;
  }

  /** Successes among n trials of probability p: exact for small n, else Poisson or normal approximations. */
  binomial(n: number, p: number): number {
    if (n <= 0 || p <= 0) return 0;
    if (p >= 1) return n;
    if (n < 64) {
      let successes = 0;
      for (let i = 0; i < n; i++) if (this.next() < p) successes++;
      return successes;
    }
    if (n * p < 15) return Math.min(n, this.poisson(n * p));
    if (n * (1 - p) < 15) return n - Math.min(n, this.poisson(n * (1 - p)));
    const draw = Math.round(n * p + Math.sqrt(n * p * (1 - p)) * this.normal());
    return Math.min(n, Math.max(0, draw));
  }
}
