/**
 * The likelihood ratios of one batch of counts (an error, a slow request: some per-request event)
 * against the null "the candidate's event rate is no worse than the stable version's".
 *
 * Under the null, with the candidate's event rate at most (1 + margin) times stable's, each event
 * of the batch comes from the candidate with a known probability that follows from the
 * candidate's share of the batch's requests. That conditional model does not care how much
 * traffic there is or how it varies over time, only about each version's share of it (Lindon &
 * Malek, NeurIPS 2022).
 *
 * The ratios are taken over a grid of alternatives, "the candidate's rate is r times the null's
 * largest". Given the requests of the batch, each ratio has an expectation of at most 1 under the
 * null, so a product of them over batches is a nonnegative supermartingale: the building block of
 * the change detector in change-detector.ts.
 */

/** The alternatives the mixture weighs, as multiples of the largest rate the null allows. */
export const ALTERNATIVE_RATIOS: readonly number[] = [1.2, 1.5, 2, 3, 5, 10, 20];

/** Requests (trials) and how many of them had the event. */
export interface Counts {
  trials: number;
  events: number;
}

/** The counts of both versions over one period. */
export interface EventCounts {
  candidate: Counts;
  stable: Counts;
}

/** One log likelihood ratio per alternative in ALTERNATIVE_RATIOS. */
export type LogLikelihoodRatios = number[];

export const NO_COUNTS: Counts = { trials: 0, events: 0 };

/**
 * The log likelihood ratios of one batch's counts, all with the same traffic share. A batch in
 * which either version served nothing says nothing: every ratio is 1.
 */
export function countLogLikelihoodRatios(counts: EventCounts, margin: number): LogLikelihoodRatios {
  const { candidate, stable } = counts;
  if (candidate.trials <= 0 || stable.trials <= 0) return ALTERNATIVE_RATIOS.map(() => 0);
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

/**
 * What a period added to running counts: `now` minus `before`, each part at least 0 and events
 * at most trials. A source may revise a count it gave earlier (late data, sampling estimates);
 * a revision downwards adds nothing rather than a negative count.
 */
export function countsSince(now: EventCounts, before: EventCounts | null): EventCounts {
  const since = (after: Counts, earlier: Counts): Counts => {
    const trials = Math.max(0, after.trials - earlier.trials);
    return { trials, events: Math.min(trials, Math.max(0, after.events - earlier.events)) };
  };
  return { candidate: since(now.candidate, before?.candidate ?? NO_COUNTS), stable: since(now.stable, before?.stable ?? NO_COUNTS) };
}
