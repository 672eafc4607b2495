import type { SequentialSlo } from "../plan.js";
import { LATENCY_QUANTILES, type SliSample } from "../sli.js";
import { addLogRatios, countLogLikelihoodRatios, type EventCounts, type LogLikelihoodRatios, mixtureEValue } from "./count-test.js";
import { slowRequestCounts } from "./slow-requests.js";

/** The numbers behind a sequential verdict: enough to explain it and to compute it again. */
export interface SequentialEvidence {
  /** What was counted per request: an error, or a response slower than boundMs. */
  counted: "errors" | "slow_requests";
  boundMs?: number;
  /** This stage's counts so far, after undoing any sampling. */
  candidate: { trials: number; events: number };
  stable: { trials: number; events: number };
  /** One per alternative in ALTERNATIVE_RATIOS: from this stage so far, and from the stages before it. */
  stageLogLikelihoodRatios: LogLikelihoodRatios;
  earlierStagesLogLikelihoodRatios: LogLikelihoodRatios;
  /** How strongly the release so far says the candidate is worse; 1 means no evidence either way. */
  eValue: number;
  /** 1 / alpha: an e-value this large rejects "the candidate is not worse". */
  threshold: number;
}

export type SequentialJudgement =
  | { verdict: "pass" | "fail"; evidence: SequentialEvidence }
  | { verdict: "not_applicable"; note: string };

/**
 * Judges "the candidate is not worse than stable by more than minEffect" from this stage's counts
 * so far and the evidence the release's earlier stages left. Each stage is one period with its
 * own traffic share; the likelihood ratios of the stages add up (multiply), so the evidence of a
 * whole release builds up across its stages.
 */
export function judgeSequential(
  slo: SequentialSlo,
  candidate: SliSample,
  stable: SliSample,
  earlierStages: LogLikelihoodRatios,
): SequentialJudgement {
  const counted = countEvents(slo, candidate, stable);
  if (counted instanceof Error) return { verdict: "not_applicable", note: counted.message };

  const stageLogLikelihoodRatios = countLogLikelihoodRatios(counted, slo.minEffect);
  const eValue = mixtureEValue(addLogRatios(earlierStages, stageLogLikelihoodRatios));
  const threshold = 1 / slo.alpha;
  return {
    verdict: eValue >= threshold ? "fail" : "pass",
    evidence: {
      ...counted,
      stageLogLikelihoodRatios,
      earlierStagesLogLikelihoodRatios: earlierStages,
      eValue,
      threshold,
    },
  };
}

type CountedEvents = EventCounts & Pick<SequentialEvidence, "counted" | "boundMs">;

function countEvents(slo: SequentialSlo, candidate: SliSample, stable: SliSample): CountedEvents | Error {
  if (slo.sli === "error_rate") {
    return {
      counted: "errors",
      candidate: unsampled(candidate, { trials: candidate.requests, events: candidate.errors }),
      stable: unsampled(stable, { trials: stable.requests, events: stable.errors }),
    };
  }
  if (!candidate.latencyHistogram || !stable.latencyHistogram) {
    return new Error(
      `the metrics source gives latency quantiles but no histogram, so ${slo.sli} cannot be tested sequentially here; ` +
        `hold it to a ratio instead, e.g. { sli: ${slo.sli}, maxRatioToStable: 1.5 }`,
    );
  }
  const slow = slowRequestCounts(candidate.latencyHistogram, stable.latencyHistogram, LATENCY_QUANTILES[slo.sli]);
  if (slow instanceof Error) return slow;
  return {
    counted: "slow_requests",
    boundMs: slow.boundMs,
    candidate: unsampled(candidate, slow.candidate),
    stable: unsampled(stable, slow.stable),
  };
}

/**
 * Counts a sampling source scaled up are worth only the requests it saw: testing the scaled
 * counts would claim more certainty than the data holds.
 */
function unsampled(sample: SliSample, counts: { trials: number; events: number }) {
  const interval = sample.sampleInterval ?? 1;
  return { trials: counts.trials / interval, events: counts.events / interval };
}
