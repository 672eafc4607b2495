import { randomBytes } from "node:crypto";
import type { BehaviourChange, VersionBehaviour } from "./behaviour.js";
import { type DeploymentRequest, parseDeploymentRequest } from "./deployment-rules.js";
import { type Fault, FaultInjector } from "./faults.js";
import { cloudflareTimestamp, type DeploymentVersion, type SimulatedDeployment } from "./model.js";
import { ControlError, type NewVersion, WorkersState } from "./workers-state.js";

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

/** What tests and the control API can do to the simulated Cloudflare account. */
export interface SimulatorControl {
  createScript(input: NewScript): CreatedScript;
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
}

export interface SimulatorOptions {
  clock?: SimulatorClock;
}

/** The simulated account: scripts, versions, deployments and faults, shared by the API and the control side. */
export class CloudflareSimulator implements SimulatorControl {
  readonly clock: SimulatorClock;
  readonly state: WorkersState;
  readonly faults = new FaultInjector();

  constructor(options: SimulatorOptions = {}) {
    this.clock = options.clock ?? { now: () => Date.now() };
    this.state = new WorkersState(() => this.clock.now());
  }

  createScript({ accountId = randomBytes(16).toString("hex"), script, rps = 0, versions = [] }: NewScript): CreatedScript {
    const created = this.state.createScript(accountId, script, rps, versions);
    return { accountId, script, versionIds: created.versions.map(({ id }) => id) };
  }

  addVersion(script: string, version: NewVersion = {}): { id: string; number: number } {
    const { id, number } = this.state.addVersion(script, version);
    return { id, number };
  }

  changeBehaviour(script: string, versionId: string, change: BehaviourChange): VersionBehaviour {
    return this.state.changeBehaviour(script, versionId, change).behaviour;
  }

  setRps(script: string, rps: number): void {
    this.state.setRps(script, rps);
  }

  /** Deploys a request already checked against the API's rules. */
  deploy(script: string, request: DeploymentRequest, source = "api"): SimulatedDeployment {
    return this.state.deploy(script, { ...request, source });
  }

  deployByHand(script: string, split: DeploymentVersion[], message?: string): DeploymentRecord {
    const body = { strategy: "percentage", versions: split, ...(message === undefined ? {} : { annotations: { "workers/message": message } }) };
    const request = parseDeploymentRequest(body, this.state.get(script));
    if (request instanceof Error) throw new ControlError(request.message);
    return deploymentRecord(this.deploy(script, request, "wrangler"));
  }

  deploymentHistory(script: string): DeploymentRecord[] {
    return this.state.get(script).deployments.map(deploymentRecord);
  }

  injectFault(fault: Fault): void {
    this.faults.inject(fault);
  }

  setApiLatency(ms: number): void {
    this.faults.setExtraLatency(ms);
  }

  clearFaults(): void {
    this.faults.clear();
  }
}

function deploymentRecord(deployment: SimulatedDeployment): DeploymentRecord {
  return {
    id: deployment.id,
    createdOn: cloudflareTimestamp(deployment.createdAtMs),
    source: deployment.source,
    ...(deployment.message === undefined ? {} : { message: deployment.message }),
    split: deployment.versions.map(({ version_id, percentage }) => ({ version_id, percentage })),
  };
}
