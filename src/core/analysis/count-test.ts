/**
 * An anytime-valid test that the candidate's rate of some per-request event (an error, a slow
 * request) is no worse than the stable version's, from the two versions' counts.
 *
 * Under the null, with the candidate's event rate at most (1 + margin) times stable's, each event
 * comes from the candidate with a known probability that follows from the candidate's share of
 * the requests. That conditional model does not care how much traffic there is or how it varies
 * over time, only about each version's share of it (Lindon & Malek, NeurIPS 2022).
 *
 * The statistic is a mixture of likelihood ratios over a grid of alternatives, "the candidate's
 * rate is r times the null's largest", weighted equally. For every r the likelihood ratio is a
 * nonnegative supermartingale under the null, so their mixture is too, and by Ville's inequality
 * it ever reaches 1/alpha with probability at most alpha: however often it is looked at.
 */

/** The alternatives the mixture weighs, as multiples of the largest rate the null allows. */
export const ALTERNATIVE_RATIOS: readonly number[] = [1.2, 1.5, 2, 3, 5, 10, 20];

/** How many requests each version served (trials) and how many of them had the event. */
export interface EventCounts {
  candidate: { trials: number; events: number };
  stable: { trials: number; events: number };
}

/** One log likelihood ratio per alternative in ALTERNATIVE_RATIOS. */
export type LogLikelihoodRatios = number[];

export function noEvidence(): LogLikelihoodRatios {
  return ALTERNATIVE_RATIOS.map(() => 0);
}

/**
 * The log likelihood ratios of the counts against the null "the candidate's event rate is at
 * most (1 + margin) x stable's". Counts from one period with one traffic share; periods with
 * different shares (stages) are tested separately and their ratios added.
 */
export function countLogLikelihoodRatios(counts: EventCounts, margin: number): LogLikelihoodRatios {
  const { candidate, stable } = counts;
  if (candidate.trials <= 0 || stable.trials <= 0) return noEvidence();
  const trialShare = candidate.trials / (candidate.trials + stable.trials);
  const nullRatio = 1 + margin;
  const nullShare = eventShare(trialShare, nullRatio);
  return ALTERNATIVE_RATIOS.map((ratio) => {
    const alternativeShare = eventShare(trialShare, nullRatio * ratio);
    return weighted(candidate.events, Math.log(alternativeShare / nullShare)) + weighted(stable.events, Math.log((1 - alternativeShare) / (1 - nullShare)));
  });
}

/** No events weigh nothing: a plain 0, never the -0 that 0 x a negative log gives and JSON drops. */
function weighted(events: number, logRatio: number): number {
  return events === 0 ? 0 : events * logRatio;
}

/** The candidate's expected share of events when its rate is `rateRatio` times stable's. */
function eventShare(trialShare: number, rateRatio: number): number {
  return (trialShare * rateRatio) / (trialShare * rateRatio + 1 - trialShare);
}

/** The e-value of the equally weighted mixture: the mean of the likelihood ratios. */
export function mixtureEValue(logRatios: LogLikelihoodRatios): number {
  const largest = Math.max(...logRatios);
  const logMean = largest + Math.log(logRatios.reduce((sum, logRatio) => sum + Math.exp(logRatio - largest), 0) / logRatios.length);
  return Math.exp(Math.min(logMean, MAX_LOG_E_VALUE));
}

/** Keeps an overwhelming e-value a finite number, so it survives JSON. */
const MAX_LOG_E_VALUE = 700;

export function addLogRatios(a: LogLikelihoodRatios, b: LogLikelihoodRatios): LogLikelihoodRatios {
  return a.map((value, i) => value + (b[i] ?? 0));
}
