import { outcomeShares, type VersionBehaviour } from "../behaviour.js";
import { LogHistogram } from "../../../../core/log-histogram.js";
import type { Outcome } from "../outcomes.js";
import { LogNormal } from "./log-normal.js";
import type { Random } from "./random.js";

/** The invocations of one version with one outcome in one second, after sampling. */
export interface InvocationCell {
  versionId: string;
  outcome: Outcome;
  /** Requests kept by sampling. */
  sampled: number;
  /** Each kept request stands for this many. */
  sampleInterval: number;
  /** Subrequests of the kept requests. */
  subrequests: number;
  wallTimeUs: LogHistogram;
  cpuTimeUs: LogHistogram;
}

export function emptyCell(versionId: string, outcome: Outcome, sampleInterval: number): InvocationCell {
  return { versionId, outcome, sampled: 0, sampleInterval, subrequests: 0, wallTimeUs: new LogHistogram(), cpuTimeUs: new LogHistogram() };
}

/** One simulated request, whole. */
export interface Invocation {
  outcome: Outcome;
  wallTimeUs: number;
  cpuTimeUs: number;
  subrequests: number;
}

/** Draws outcomes and timings for a version's requests. */
export class InvocationModel {
  private readonly wallTimeMs: LogNormal;
  private readonly cpuTimeMs: LogNormal;
  private readonly shares: [Outcome, number][];

  constructor(
    private readonly behaviour: VersionBehaviour,
    private readonly random: Random,
  ) {
    this.wallTimeMs = new LogNormal(behaviour.latencyMs);
    this.cpuTimeMs = new LogNormal(behaviour.cpuMs);
    this.shares = outcomeShares(behaviour);
  }

  /** How many of `requests` end with each outcome: a multinomial draw by the behaviour's shares. */
  outcomeCounts(requests: number): Map<Outcome, number> {
    const counts = new Map<Outcome, number>();
    let remaining = requests;
    let remainingShare = 1;
    for (const [outcome, share] of this.shares) {
      const count = remainingShare <= 0 ? 0 : this.random.binomial(remaining, Math.min(1, share / remainingShare));
      counts.set(outcome, count);
      remaining -= count;
      remainingShare -= share;
    }
    return counts.set("ok", remaining);
  }

  /** A cell for `count` requests of one outcome, of which each is kept with probability 1 / sampleInterval. */
  cell(versionId: string, outcome: Outcome, count: number, sampleInterval: number): InvocationCell {
    const cell = emptyCell(versionId, outcome, sampleInterval);
    cell.sampled = this.random.binomial(count, 1 / sampleInterval);
    cell.subrequests = this.random.poisson(cell.sampled * this.behaviour.subrequestsPerRequest);
    for (let i = 0; i < cell.sampled; i++) {
      cell.wallTimeUs.record(this.wallTimeMs.sample(this.random) * 1000);
      cell.cpuTimeUs.record(this.cpuTimeMs.sample(this.random) * 1000);
    }
    return cell;
  }

  /** One whole request. */
  one(): Invocation {
    return {
      outcome: this.oneOutcome(),
      wallTimeUs: this.wallTimeMs.sample(this.random) * 1000,
      cpuTimeUs: this.cpuTimeMs.sample(this.random) * 1000,
      subrequests: this.random.poisson(this.behaviour.subrequestsPerRequest),
    };
  }

  private oneOutcome(): Outcome {
    let draw = this.random.next();
    for (const [outcome, share] of this.shares) {
      if (draw < share) return outcome;
      draw -= share;
    }
    return "ok";
  }
}
