export type { BehaviourChange, VersionBehaviour } from "./behaviour.js";
export type { Fault } from "./faults.js";
export { type RunningSimulator, type StartSimulatorOptions, startCloudflareSimulator } from "./server.js";
export type { CreatedScript, DeploymentRecord, NewScript, SimulatorClock, SimulatorControl } from "./simulator.js";
export { ControlError, type NewVersion } from "./workers-state.js";
