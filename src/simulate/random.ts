import binomialDistribution from "@stdlib/random-base-binomial";
import poissonDistribution from "@stdlib/random-base-poisson";
import { uniformFloat64 } from "pure-rand/distribution/uniformFloat64";
import { xoroshiro128plus } from "pure-rand/generator/xoroshiro128plus";
import type { RandomGenerator } from "pure-rand/types/RandomGenerator";

/** A 32-bit hash of a few integers (murmur3's mixing), so a stream's seed is a function of where it is used. */
export function hashSeed(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const part of parts) {
    h = Math.imul(h ^ (part | 0), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    // Parts above 2^32 (none expected) would otherwise collide with their low bits.
    h ^= Math.floor(part / 0x1_0000_0000) | 0;
  }
  return h | 0;
}

/** Below this mean a binomial is drawn by inversion; above it by stdlib's BTPE sampler. */
const INVERSION_MAX_MEAN = 30;

/**
 * Draws from the distributions the traffic model needs. The variates come from stdlib's samplers
 * fed by one pure-rand generator that `reseed` replaces, so each time slice can have its own stream
 * derived from (seed, run, slice) without building new samplers.
 */
export class RandomStream {
  private generator: RandomGenerator = xoroshiro128plus(0);
  private readonly uniformSource = () => uniformFloat64(this.generator);
  private readonly binomialSampler = binomialDistribution.factory({ prng: this.uniformSource });
  private readonly poissonSampler = poissonDistribution.factory({ prng: this.uniformSource });

  reseed(seed: number): void {
    this.generator = xoroshiro128plus(seed);
  }

  uniform(): number {
    return this.uniformSource();
  }

  poisson(mean: number): number {
    return mean > 0 ? this.poissonSampler(mean) : 0;
  }

  binomial(trials: number, probability: number): number {
    if (trials <= 0 || probability <= 0) return 0;
    if (probability >= 1) return trials;
    if (probability > 0.5) return trials - this.binomial(trials, 1 - probability);
    // stdlib sums one Bernoulli draw per trial when the mean is small: O(trials), too slow for
    // thousands of requests a slice. Inversion costs O(mean) instead.
    if (trials * probability < INVERSION_MAX_MEAN) return this.binomialByInversion(trials, probability);
    return this.binomialSampler(trials, probability);
  }

  /** Walks the binomial's CDF from 0 until it passes one uniform draw. */
  private binomialByInversion(trials: number, probability: number): number {
    const odds = probability / (1 - probability);
    let chance = Math.pow(1 - probability, trials);
    let cumulative = chance;
    const u = this.uniformSource();
    let k = 0;
    while (u > cumulative && k < trials) {
      chance *= (odds * (trials - k)) / (k + 1);
      cumulative += chance;
      k++;
    }
    return k;
  }

  /** Spreads `trials` over buckets with the given probabilities (summing to 1), adding the counts to `into` from `offset`. */
  multinomialInto(trials: number, probabilities: readonly number[], into: Float64Array, offset: number): void {
    let left = trials;
    let massLeft = 1;
    const last = probabilities.length - 1;
    for (let i = 0; i < last && left > 0; i++) {
      const probability = probabilities[i]!;
      const count = probability > 0 ? this.binomial(left, probability / massLeft) : 0;
      into[offset + i]! += count;
      left -= count;
      massLeft -= probability;
    }
    into[offset + last]! += left;
  }
}
