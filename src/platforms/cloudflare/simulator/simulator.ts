import { randomBytes, randomInt } from "node:crypto";
import type { BehaviourChange, VersionBehaviour } from "./behaviour.js";
import { ControlError } from "./control-error.js";
import { type DeploymentRequest, parseDeploymentRequest } from "./deployment-rules.js";
import { type Fault, FaultInjector } from "./faults.js";
import { cloudflareTimestamp, type DeploymentVersion, liveDeployment, type SimulatedDeployment } from "./model.js";
import type {
  CreatedScript,
  DeploymentRecord,
  MetricsDelivery,
  NewScript,
  ScriptSummary,
  SimulatedResponse,
  SimulatorClock,
  SimulatorControl,
} from "./simulator-control.js";
import { countsAsError } from "./analytics/invocation-status.js";
import { Random } from "./traffic/random.js";
import { type RoutingHeaders, routeRequest } from "./traffic/routing.js";
import { type AccountTraffic, type RecordedSecond, TrafficRecord } from "./traffic/traffic-record.js";
import { TrafficGenerator } from "./traffic/traffic-generator.js";
import { type NewVersion, WorkersState } from "./workers-state.js";

export interface SimulatorOptions {
  /** Defaults to the system clock. */
  clock?: SimulatorClock;
  /** Seed of the traffic's random draws; random when left out. */
  seed?: number;
  /** How long recorded traffic is kept; one hour by default. */
  retentionSeconds?: number;
  lagSeconds?: number;
  sampleInterval?: number;
}

/** The simulated account: scripts, versions, deployments and faults, shared by the API and the control side. */
export class CloudflareSimulator implements SimulatorControl, AccountTraffic {
  readonly clock: SimulatorClock;
  readonly state: WorkersState;
  readonly faults = new FaultInjector();
  readonly retentionSeconds: number;
  private readonly random: Random;
  private readonly record: TrafficRecord;
  private readonly traffic: TrafficGenerator;
  private lagSeconds = 0;

  constructor(options: SimulatorOptions = {}) {
    this.clock = options.clock ?? { now: () => Date.now() };
    this.state = new WorkersState(() => this.clock.now());
    this.random = new Random(options.seed ?? randomInt(2 ** 31));
    this.retentionSeconds = options.retentionSeconds ?? 3600;
    const retentionMs = this.retentionSeconds * 1000;
    this.record = new TrafficRecord(retentionMs);
    this.traffic = new TrafficGenerator(this.state, this.record, this.random, this.clock.now(), retentionMs);
    this.setMetricsDelivery({ lagSeconds: options.lagSeconds ?? 0, sampleInterval: options.sampleInterval ?? 1 });
  }

  hasAccount(accountId: string): boolean {
    return this.state.hasAccount(accountId);
  }

  /** The lag hides the newest seconds from metrics queries. */
  visibleSeconds(accountId: string, fromMs: number, toMs: number): RecordedSecond[] {
    const now = this.catchUp();
    return this.record
      .select({ fromMs, toMs, visibleUntilMs: now - this.lagSeconds * 1000 })
      .filter(({ script }) => this.state.find(accountId, script) !== undefined);
  }

  createScript({ accountId = randomBytes(16).toString("hex"), script, rps = 0, versions = [] }: NewScript): CreatedScript {
    this.catchUp();
    const created = this.state.createScript(accountId, script, rps, versions);
    return { accountId, script, versionIds: created.versions.map(({ id }) => id) };
  }

  describeScript(name: string): ScriptSummary {
    const script = this.state.get(name);
    return {
      accountId: script.accountId,
      script: script.name,
      rps: script.rps,
      versions: script.versions.map(({ id, number, message, behaviour }) => ({ id, number, ...(message === undefined ? {} : { message }), behaviour })),
      liveSplit: liveDeployment(script).versions.map(({ version_id, percentage }) => ({ version_id, percentage })),
    };
  }

  addVersion(script: string, version: NewVersion = {}): { id: string; number: number } {
    this.catchUp();
    const { id, number } = this.state.addVersion(script, version);
    return { id, number };
  }

  changeBehaviour(script: string, versionId: string, change: BehaviourChange): VersionBehaviour {
    this.catchUp();
    return this.state.changeBehaviour(script, versionId, change).behaviour;
  }

  setRps(script: string, rps: number): void {
    this.catchUp();
    this.state.setRps(script, rps);
  }

  /** Deploys a request already checked against the API's rules. */
  deploy(script: string, request: DeploymentRequest, source = "api"): SimulatedDeployment {
    this.catchUp();
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

  setMetricsDelivery({ lagSeconds = this.lagSeconds, sampleInterval = this.traffic.sampleInterval }: Partial<MetricsDelivery>): MetricsDelivery {
    if (!(Number.isFinite(lagSeconds) && lagSeconds >= 0)) throw new ControlError(`lagSeconds must be 0 or more, got ${lagSeconds}`);
    if (!(Number.isFinite(sampleInterval) && sampleInterval >= 1)) throw new ControlError(`sampleInterval must be 1 or more, got ${sampleInterval}`);
    this.catchUp();
    this.lagSeconds = lagSeconds;
    this.traffic.sampleInterval = sampleInterval;
    return { lagSeconds, sampleInterval };
  }

  simulateRequest(scriptName: string, headers: RoutingHeaders = {}): SimulatedResponse {
    const now = this.catchUp();
    const script = this.state.get(scriptName);
    const versionId = routeRequest(script, liveDeployment(script), headers, () => this.random.next());
    const invocation = this.traffic.modelOf(script, versionId).one();
    this.traffic.addSingle(script.name, versionId, now, invocation);
    return {
      versionId,
      status: countsAsError(invocation.outcome) ? 500 : 200,
      outcome: invocation.outcome,
      wallTimeMs: invocation.wallTimeUs / 1000,
    };
  }

  /** Generates the traffic of every second up to now; returns now. */
  private catchUp(): number {
    const now = this.clock.now();
    this.traffic.catchUp(now);
    return now;
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
