import type { BehaviourChange, VersionBehaviour } from "./behaviour.js";
import type { Fault } from "./faults.js";
import type { DeploymentVersion } from "./model.js";
import type { Outcome } from "./outcomes.js";
import type { RoutingHeaders } from "./traffic/routing.js";
import type { NewVersion } from "./workers-state.js";

/** The simulator's only source of time (epoch ms), so tests can run it in virtual time. */
export interface SimulatorClock {
  now(): number;
}

export interface NewScript {
  /** 32 hex digits; a random one when left out. */
  accountId?: string;
  script: string;
  /** Requests per second; 0 when left out. */
  rps?: number;
  /** Behaviours of the versions to create, oldest first; the first is deployed at 100%. One default version when left out. */
  versions?: NewVersion[];
}

export interface CreatedScript {
  accountId: string;
  script: string;
  /** Oldest first; the first serves 100% of traffic. */
  versionIds: string[];
}

export interface DeploymentRecord {
  id: string;
  createdOn: string;
  source: string;
  message?: string;
  split: DeploymentVersion[];
}

/** How metrics reach GraphQL and telemetry queries. */
export interface MetricsDelivery {
  /** The most recent seconds not visible yet: queries answer as if they had no data. */
  lagSeconds: number;
  /** Each recorded request stands for this many (1: every request is recorded). */
  sampleInterval: number;
}

/** How one routed request went. */
export interface SimulatedResponse {
  versionId: string;
  /** 500 when the version failed (the outcome counts in GraphQL's `sum.errors`), else 200. */
  status: 200 | 500;
  outcome: Outcome;
  wallTimeMs: number;
}

/** A script as it stands: its rate, its versions (oldest first) and the split serving now. */
export interface ScriptSummary {
  accountId: string;
  script: string;
  rps: number;
  versions: { id: string; number: number; message?: string; behaviour: VersionBehaviour }[];
  liveSplit: DeploymentVersion[];
}

/** What tests and the control API can do to the simulated Cloudflare account. */
export interface SimulatorControl {
  createScript(input: NewScript): CreatedScript;
  describeScript(script: string): ScriptSummary;
  addVersion(script: string, version?: NewVersion): { id: string; number: number };
  changeBehaviour(script: string, versionId: string, change: BehaviourChange): VersionBehaviour;
  setRps(script: string, rps: number): void;
  /** Deploys as a person running wrangler would (source "wrangler"), with the API's rules. */
  deployByHand(script: string, split: DeploymentVersion[], message?: string): DeploymentRecord;
  /** Every deployment of the script, oldest first. */
  deploymentHistory(script: string): DeploymentRecord[];
  injectFault(fault: Fault): void;
  /** Delays every API answer by this many (real) milliseconds. */
  setApiLatency(ms: number): void;
  clearFaults(): void;
  setMetricsDelivery(change: Partial<MetricsDelivery>): MetricsDelivery;
  /** Routes one request as Cloudflare would, honouring the version key and overrides headers; it counts in the metrics. */
  simulateRequest(script: string, headers?: RoutingHeaders): SimulatedResponse;
}
