import type { Quantiles } from "../behaviour.js";
import type { Random } from "./random.js";

/** The standard normal quantile at 0.99. */
const Z_99 = 2.326347874;

/** A log-normal distribution whose median and 99th percentile are the given ones. */
export class LogNormal {
  private readonly mu: number;
  private readonly sigma: number;

  constructor({ p50, p99 }: Quantiles) {
    this.mu = Math.log(p50);
    this.sigma = Math.log(p99 / p50) / Z_99;
  }

  sample(random: Random): number {
    return Math.exp(this.mu + this.sigma * random.normal());
  }
}
