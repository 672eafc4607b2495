import type { BehaviourChange } from "./behaviour.js";

/** A behaviour for tests: no errors, no disconnects, 20 ms median and 80 ms p99 unless told otherwise. */
export function behaviour(change: BehaviourChange = {}): BehaviourChange {
  return { errorRate: 0, clientDisconnectRate: 0, latencyMs: { p50: 20, p99: 80 }, ...change };
}
