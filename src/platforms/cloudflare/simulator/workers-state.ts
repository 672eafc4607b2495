import { randomUUID } from "node:crypto";
import { type BehaviourChange, completeBehaviour, type VersionBehaviour } from "./behaviour.js";
import { ControlError } from "./control-error.js";
import type { DeploymentVersion, SimulatedDeployment, SimulatedScript, SimulatedVersion } from "./model.js";

export interface NewVersion {
  behaviour?: BehaviourChange;
  message?: string;
}

export interface NewDeployment {
  versions: DeploymentVersion[];
  source: string;
  message?: string;
}

/** The accounts, scripts, versions and deployments, with no notion of traffic or HTTP. */
export class WorkersState {
  private readonly scripts = new Map<string, SimulatedScript>();

  constructor(private readonly now: () => number) {}

  hasAccount(accountId: string): boolean {
    return [...this.scripts.values()].some((script) => script.accountId === accountId);
  }

  /** The script when it exists in that account. */
  find(accountId: string, name: string): SimulatedScript | undefined {
    const script = this.scripts.get(name);
    return script?.accountId === accountId ? script : undefined;
  }

  get(name: string): SimulatedScript {
    const script = this.scripts.get(name);
    if (!script) throw new ControlError(`no script named ${name}; create it first with POST /__sim/scripts`, 404);
    return script;
  }

  all(): SimulatedScript[] {
    return [...this.scripts.values()];
  }

  /** Creates a script whose first version serves 100% of traffic; later versions are uploaded, not deployed. */
  createScript(accountId: string, name: string, rps: number, versions: NewVersion[]): SimulatedScript {
    if (!/^[a-z0-9][a-z0-9_-]{0,62}$/.test(name)) {
      throw new ControlError(`script name "${name}" must be lower-case letters, digits, "-" or "_" (at most 63)`);
    }
    if (!/^[0-9a-f]{32}$/.test(accountId)) throw new ControlError(`account id "${accountId}" must be 32 lower-case hex digits, like Cloudflare's`);
    if (this.scripts.has(name)) throw new ControlError(`a script named ${name} already exists`);
    checkRps(rps);
    const checked = (versions.length > 0 ? versions : [{}]).map(({ behaviour = {}, message }) => ({ behaviour: validBehaviour(behaviour), message }));
    const script: SimulatedScript = { accountId, name, rps, versions: [], deployments: [] };
    this.scripts.set(name, script);
    for (const { behaviour, message } of checked) this.appendVersion(script, behaviour, message);
    this.deploy(name, { versions: [{ version_id: script.versions[0]!.id, percentage: 100 }], source: "wrangler" });
    return script;
  }

  addVersion(name: string, { behaviour = {}, message }: NewVersion): SimulatedVersion {
    const script = this.get(name);
    return this.appendVersion(script, validBehaviour(behaviour), message);
  }

  changeBehaviour(name: string, versionId: string, change: BehaviourChange): SimulatedVersion {
    const version = this.version(name, versionId);
    version.behaviour = validBehaviour(change, version.behaviour);
    return version;
  }

  setRps(name: string, rps: number): void {
    checkRps(rps);
    this.get(name).rps = rps;
  }

  /** Records a deployment that is already valid (the API checks requests with parseDeploymentRequest). */
  deploy(name: string, { versions, source, message }: NewDeployment): SimulatedDeployment {
    const deployment: SimulatedDeployment = {
      id: randomUUID(),
      createdAtMs: this.now(),
      source,
      versions: versions.map(({ version_id, percentage }) => ({ version_id, percentage })),
      ...(message === undefined ? {} : { message }),
    };
    this.get(name).deployments.push(deployment);
    return deployment;
  }

  private appendVersion(script: SimulatedScript, behaviour: VersionBehaviour, message: string | undefined): SimulatedVersion {
    const version: SimulatedVersion = {
      id: randomUUID(),
      number: script.versions.length + 1,
      createdAtMs: this.now(),
      source: "wrangler",
      behaviour,
      ...(message === undefined ? {} : { message }),
    };
    script.versions.push(version);
    return version;
  }

  private version(name: string, versionId: string): SimulatedVersion {
    const version = this.get(name).versions.find(({ id }) => id === versionId);
    if (!version) throw new ControlError(`script ${name} has no version ${versionId}`, 404);
    return version;
  }
}

function validBehaviour(change: BehaviourChange, base?: VersionBehaviour): VersionBehaviour {
  const behaviour = completeBehaviour(change, base);
  if (behaviour instanceof Error) throw new ControlError(behaviour.message);
  return behaviour;
}

function checkRps(rps: number): void {
  if (!(Number.isFinite(rps) && rps >= 0)) throw new ControlError(`rps must be a number of requests per second, 0 or more, got ${rps}`);
}
