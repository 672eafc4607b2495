/** The Cloudflare API simulator: start it, drive it through `control`, point the SDK at its `url`. */
export type { InvocationStatus } from "./analytics/invocation-status.js";
export type { BehaviourChange, OutcomeRates, Quantiles, VersionBehaviour } from "./behaviour.js";
export { ControlError } from "./control-error.js";
export type { Fault, FaultStatus } from "./faults.js";
export type { DeploymentVersion } from "./model.js";
export { isOutcome, type Outcome, OUTCOMES, RATED_OUTCOMES } from "./outcomes.js";
export { type RunningSimulator, type StartSimulatorOptions, startCloudflareSimulator } from "./server.js";
export type { SimulatorOptions } from "./simulator.js";
export type {
  CreatedScript,
  DeploymentRecord,
  MetricsDelivery,
  NewScript,
  ScriptSummary,
  SimulatedResponse,
  SimulatorClock,
  SimulatorControl,
} from "./simulator-control.js";
export type { RoutingHeaders } from "./traffic/routing.js";
export type { NewVersion } from "./workers-state.js";
