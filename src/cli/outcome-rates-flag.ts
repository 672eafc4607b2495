import { isOutcome, type OutcomeRates, RATED_OUTCOMES } from "../platforms/cloudflare/simulator/index.js";
import { UsageError } from "./exit-codes.js";

const EXAMPLE = "responseStreamDisconnected=0.05,exceededMemory=0.01";

/**
 * Reads the `outcome=rate,outcome=rate` given to a flag, or throws a UsageError naming the flag
 * and the part it could not read: `--candidate-outcomes: the rate of exceededMemory must be a
 * share from 0 to 1, got "lots"`.
 */
export function parseOutcomeRatesFlag(flag: string, text: string): OutcomeRates {
  const rates: OutcomeRates = {};
  for (const part of text.split(",")) {
    const [name = "", rate, ...rest] = part.split("=").map((piece) => piece.trim());
    if (rate === undefined || rest.length > 0) throw new UsageError(`${flag} takes outcome=rate pairs separated by commas, like ${EXAMPLE}; got "${part}"`);
    if (!isOutcome(name) || name === "ok") {
      const because = name === "ok" ? "ok is the share the other outcomes leave" : `the outcomes are ${RATED_OUTCOMES.join(", ")}`;
      throw new UsageError(`${flag}: "${name}" cannot be given a rate; ${because}`);
    }
    if (Object.hasOwn(rates, name)) throw new UsageError(`${flag} gives ${name} twice`);
    const value = rate === "" ? Number.NaN : Number(rate);
    if (!(value >= 0 && value <= 1)) throw new UsageError(`${flag}: the rate of ${name} must be a share from 0 to 1 (0.05 means 5%), got "${rate}"`);
    rates[name] = value;
  }
  const total = Object.values(rates).reduce((sum, rate) => sum + rate, 0);
  if (total > 1) throw new UsageError(`${flag}: the rates add up to ${Math.round(total * 1e6) / 1e6}; they can add up to 1 at most`);
  return rates;
}
