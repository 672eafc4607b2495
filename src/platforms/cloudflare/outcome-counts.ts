import type { OutcomeClass, OutcomeCount, SliSample } from "../../core/sli.js";

/** A source's outcome values and what each one means for a version's health. */
export type OutcomeTable = Readonly<Record<string, OutcomeClass>>;

/** How many of a version's invocations ended with one outcome value: what they stand for, and how many the source kept. */
export interface OutcomeTally {
  outcome: string;
  /** Scaled up from the source's sampling. */
  estimated: number;
  kept: number;
}

/** The class of an outcome value; a value the table does not know counts as an error, so that a new failure is never missed. */
export function classify(table: OutcomeTable, outcome: string): { class: OutcomeClass; known: boolean } {
  return Object.hasOwn(table, outcome) ? { class: table[outcome]!, known: true } : { class: "error", known: false };
}

/**
 * A version's requests, errors, sample interval and outcomes from its tallies, or undefined when
 * none of them counts. Requests and errors hold the error and success classes only: a request
 * whose visitor went away says nothing of the version, and counting it would make a version
 * whose visitors leave more look healthier. `outcomes` still lists every value, so a reader sees
 * what was left out.
 */
export function countOutcomes(tallies: OutcomeTally[], table: OutcomeTable): Omit<SliSample, "latencyMs"> | undefined {
  const outcomes = new Map<string, OutcomeCount & { kept: number }>();
  for (const { outcome, estimated, kept } of tallies) {
    const entry = outcomes.get(outcome) ?? { outcome, ...classify(table, outcome), requests: 0, kept: 0 };
    entry.requests += estimated;
    entry.kept += kept;
    outcomes.set(outcome, entry);
  }
  const counted = [...outcomes.values()].filter((entry) => entry.class !== "not_counted");
  const requests = counted.reduce((sum, entry) => sum + entry.requests, 0);
  if (requests === 0) return undefined;
  const errors = counted.filter((entry) => entry.class === "error").reduce((sum, entry) => sum + entry.requests, 0);
  const sampleInterval = requests / counted.reduce((sum, entry) => sum + entry.kept, 0);
  return {
    requests,
    errors,
    ...(sampleInterval > 1 && { sampleInterval }),
    outcomes: [...outcomes.values()].map(({ kept: _kept, ...count }) => count),
  };
}
