import { isOutcome, type Outcome, RATED_OUTCOMES } from "./outcomes.js";

/** How a simulated Worker version answers: how its requests end and how long they take. */
export interface Quantiles {
  p50: number;
  p99: number;
}

/** Per outcome, the share of all of a version's requests (0..1) that end with it. */
export type OutcomeRates = Partial<Record<Outcome, number>>;

export interface VersionBehaviour {
  /** Share of requests (0..1) that fail: 90% with outcome exception, 10% exceededCpu. */
  errorRate: number;
  /** Wall time of a request; a log-normal distribution is fitted to these two quantiles. */
  latencyMs: Quantiles;
  /** CPU time of a request, fitted the same way. */
  cpuMs: Quantiles;
  /** Share of the requests errorRate spares (0..1) whose client hangs up before the answer (canceled). */
  clientDisconnectRate: number;
  /** Shares added on top of those errorRate and clientDisconnectRate give; ok takes what all of them leave. */
  outcomeRates: OutcomeRates;
  /** Subrequests (fetches to other origins) each request makes. */
  subrequestsPerRequest: number;
}

/** Any part of a behaviour; what is left out keeps its current (or default) value. */
export interface BehaviourChange {
  errorRate?: number;
  latencyMs?: Partial<Quantiles>;
  cpuMs?: Partial<Quantiles>;
  clientDisconnectRate?: number;
  /** Merged into the current rates, outcome by outcome. */
  outcomeRates?: OutcomeRates;
  subrequestsPerRequest?: number;
}

export const DEFAULT_BEHAVIOUR: VersionBehaviour = {
  errorRate: 0.001,
  latencyMs: { p50: 20, p99: 120 },
  cpuMs: { p50: 1, p99: 5 },
  clientDisconnectRate: 0.001,
  outcomeRates: {},
  subrequestsPerRequest: 1,
};

/** Of the failures errorRate makes, the share that exceed the CPU limit rather than throw. */
const EXCEEDED_CPU_SHARE = 0.1;

/** Each outcome of RATED_OUTCOMES with the share of all the version's requests that end with it; ok takes what they leave. */
export function outcomeShares({ errorRate, clientDisconnectRate, outcomeRates }: VersionBehaviour): [Outcome, number][] {
  const fromRates: OutcomeRates = {
    exception: errorRate * (1 - EXCEEDED_CPU_SHARE),
    exceededCpu: errorRate * EXCEEDED_CPU_SHARE,
    canceled: clientDisconnectRate * (1 - errorRate),
  };
  return RATED_OUTCOMES.map((outcome) => [outcome, (fromRates[outcome] ?? 0) + (outcomeRates[outcome] ?? 0)]);
}

/** A full behaviour from a partial one, or a message saying which field is out of range. */
export function completeBehaviour(change: BehaviourChange, base: VersionBehaviour = DEFAULT_BEHAVIOUR): VersionBehaviour | Error {
  const behaviour: VersionBehaviour = {
    ...base,
    ...change,
    latencyMs: { ...base.latencyMs, ...change.latencyMs },
    cpuMs: { ...base.cpuMs, ...change.cpuMs },
    outcomeRates: { ...base.outcomeRates, ...change.outcomeRates },
  };
  for (const [name, rate] of [
    ["errorRate", behaviour.errorRate],
    ["clientDisconnectRate", behaviour.clientDisconnectRate],
  ] as const) {
    if (!(rate >= 0 && rate <= 1)) return new Error(`${name} must be between 0 and 1, got ${rate}`);
  }
  for (const [name, { p50, p99 }] of [
    ["latencyMs", behaviour.latencyMs],
    ["cpuMs", behaviour.cpuMs],
  ] as const) {
    if (!(p50 > 0 && p99 >= p50)) return new Error(`${name} needs 0 < p50 <= p99, got p50 ${p50} and p99 ${p99}`);
  }
  const outcomesProblem = outcomeRatesProblem(behaviour);
  if (outcomesProblem) return new Error(outcomesProblem);
  if (!(behaviour.subrequestsPerRequest >= 0)) {
    return new Error(`subrequestsPerRequest must be 0 or more, got ${behaviour.subrequestsPerRequest}`);
  }
  return behaviour;
}

function outcomeRatesProblem(behaviour: VersionBehaviour): string | undefined {
  const names = Object.keys(behaviour.outcomeRates);
  const unknown = names.filter((name) => !isOutcome(name));
  if (unknown.length > 0) {
    return `outcomeRates has no outcome named ${unknown.join(", ")}; the outcomes it takes are ${RATED_OUTCOMES.join(", ")}`;
  }
  if (names.includes("ok")) return "outcomeRates cannot set ok: ok is the share the other outcomes leave";
  for (const [name, rate] of Object.entries(behaviour.outcomeRates)) {
    if (!(rate >= 0 && rate <= 1)) return `outcomeRates.${name} must be between 0 and 1, got ${rate}`;
  }
  const total = outcomeShares(behaviour).reduce((sum, [, share]) => sum + share, 0);
  if (total > 1 + 1e-9) {
    return `errorRate, clientDisconnectRate and outcomeRates add up to ${round(total)} of the requests; they can add up to 1 at most`;
  }
  return undefined;
}

function round(share: number): number {
  return Math.round(share * 1e6) / 1e6;
}
