/** How a simulated Worker version answers: how often it fails and how long it takes. */
export interface Quantiles {
  p50: number;
  p99: number;
}

export interface VersionBehaviour {
  /** Share of requests (0..1) that end in an exception or exceeded resources. */
  errorRate: number;
  /** Wall time of a request; a log-normal distribution is fitted to these two quantiles. */
  latencyMs: Quantiles;
  /** CPU time of a request, fitted the same way. */
  cpuMs: Quantiles;
  /** Share of the requests that do not fail (0..1) whose client hangs up before the answer. */
  clientDisconnectRate: number;
  /** Subrequests (fetches to other origins) each request makes. */
  subrequestsPerRequest: number;
}

/** Any part of a behaviour; what is left out keeps its current (or default) value. */
export interface BehaviourChange {
  errorRate?: number;
  latencyMs?: Partial<Quantiles>;
  cpuMs?: Partial<Quantiles>;
  clientDisconnectRate?: number;
  subrequestsPerRequest?: number;
}

export const DEFAULT_BEHAVIOUR: VersionBehaviour = {
  errorRate: 0.001,
  latencyMs: { p50: 20, p99: 120 },
  cpuMs: { p50: 1, p99: 5 },
  clientDisconnectRate: 0.001,
  subrequestsPerRequest: 1,
};

/** A full behaviour from a partial one, or a message saying which field is out of range. */
export function completeBehaviour(change: BehaviourChange, base: VersionBehaviour = DEFAULT_BEHAVIOUR): VersionBehaviour | Error {
  const behaviour: VersionBehaviour = {
    ...base,
    ...change,
    latencyMs: { ...base.latencyMs, ...change.latencyMs },
    cpuMs: { ...base.cpuMs, ...change.cpuMs },
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
  if (!(behaviour.subrequestsPerRequest >= 0)) {
    return new Error(`subrequestsPerRequest must be 0 or more, got ${behaviour.subrequestsPerRequest}`);
  }
  return behaviour;
}
