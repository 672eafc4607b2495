import { ALTERNATIVE_RATIOS, type LogLikelihoodRatios } from "./count-test.js";

/**
 * A Shiryaev-Roberts e-detector (Shin, Ramdas & Rinaldo, "E-detectors: a nonparametric framework
 * for sequential change detection", 2023) over the batches of a release: the evidence that the
 * candidate became worse than stable at some check, and has stayed worse since.
 *
 * A plain sequential test multiplies the likelihood ratios of every batch since the release
 * started. Checks in which a healthy candidate served traffic then weigh against a regression
 * that starts later, and at high traffic they weigh a lot: a release that ran clean for twenty
 * minutes at 500 requests a second would need minutes of a doubled error rate to overcome them.
 *
 * The detector instead starts a fresh product at each check (a start point) and sums them, each
 * with a weight fixed in advance, per alternative:
 *
 *     S(t) = (S(t - 1) + w_t) x LR(t)
 *
 * Under the null every product is a nonnegative supermartingale from its start point on, so
 * S(t) plus the weight of the start points still to come is one too, starting at the sum of all
 * the weights, 1. By Ville's inequality the mixture over alternatives ever reaches 1 / alpha with
 * probability at most alpha, however often it is looked at and whenever the regression starts.
 *
 * The weights spend the false-alarm budget: half on the release's first check, so a regression
 * present from the start pays only a factor 2 for the detector, and half spread evenly over the
 * other checks the plan expects while stable still has traffic, so a regression that starts at
 * any later check is judged from that check on, without the clean checks before it.
 */

/** Per alternative in ALTERNATIVE_RATIOS, the log of the detector S(t); null before its first start point. */
export type LogDetector = number[] | null;

/** The share of the false-alarm budget given to the release's first start point. */
export const FIRST_START_WEIGHT = 1 / 2;

/**
 * The weight of start point number `index` (0 for the first), when the plan expects
 * `laterStartPoints` more after the first. After those, a check adds no start point.
 */
export function startWeight(index: number, laterStartPoints: number): number {
  if (index === 0) return FIRST_START_WEIGHT;
  return index <= laterStartPoints ? (1 - FIRST_START_WEIGHT) / laterStartPoints : 0;
}

/** The detector after a check: a start point of `weight` added, then the check's batch weighed. */
export function advanceDetector(detector: LogDetector, weight: number, batch: LogLikelihoodRatios): LogDetector {
  if (detector === null && weight === 0) return null;
  const logWeight = Math.log(weight);
  return ALTERNATIVE_RATIOS.map((_, i) => logAddExp(detector?.[i] ?? -Infinity, logWeight) + batch[i]!);
}

/** The detector's e-value: the mean over the alternatives; 0 before any start point. */
export function detectorEValue(detector: LogDetector): number {
  if (detector === null) return 0;
  const largest = Math.max(...detector);
  const logMean = largest + Math.log(detector.reduce((sum, log) => sum + Math.exp(log - largest), 0) / detector.length);
  return Math.exp(Math.min(logMean, MAX_LOG_E_VALUE));
}

/** Keeps an overwhelming e-value a finite number, so it survives JSON. */
const MAX_LOG_E_VALUE = 700;

/** log(e^a + e^b), without overflow; either may be -Infinity. */
function logAddExp(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  const larger = Math.max(a, b);
  return larger + Math.log1p(Math.exp(Math.min(a, b) - larger));
}
