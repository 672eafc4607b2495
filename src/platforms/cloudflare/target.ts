import { serializeDictionary } from "structured-headers";
import { splitsEqual, type Split } from "../../core/split.js";
import { type DeploymentTarget, PlatformError, type Version } from "../types.js";
import { type Deployment, deploymentListSchema, deploymentSchema, versionPageSchema, type WorkerVersion } from "./api-contract.js";
import type { CloudflareApi } from "./cloudflare-api.js";
import { type Clock, systemClock } from "../../support/clock.js";
import { asDeployed, deploymentVersionsOf, splitOfDeployment } from "./deployment-split.js";

const OVERRIDE_HEADER = "Cloudflare-Workers-Version-Overrides";

export interface CloudflareTargetOptions {
  /** How long a new deployment takes to reach Cloudflare's edge before overrides work; 5 seconds by default. */
  propagationDelayMs?: number;
  clock?: Clock;
}

/** A Worker's traffic, split between its versions by Cloudflare's gradual deployments. */
export class CloudflareTarget implements DeploymentTarget {
  private readonly propagationDelayMs: number;
  private readonly clock: Clock;

  constructor(
    private readonly api: CloudflareApi,
    options: CloudflareTargetOptions = {},
  ) {
    this.propagationDelayMs = options.propagationDelayMs ?? 5000;
    this.clock = options.clock ?? systemClock;
  }

  /** The versions Cloudflare can deploy (the newest 100), newest first. */
  async listVersions(): Promise<Version[]> {
    const { accountId, worker } = this.api;
    // `deployable` ignores paging: the first page holds them all, and asking for more would never end.
    const page = await this.api.call(`list the versions of Worker ${worker}`, versionPageSchema, (sdk) =>
      sdk.workers.scripts.versions.list(worker, { account_id: accountId, deployable: true }),
    );
    return page.result.items.map((version) => ({ id: version.id, description: describeVersion(version) }));
  }

  async currentSplit(): Promise<Split> {
    const live = await this.liveDeployment();
    if (!live) {
      throw new PlatformError(`Worker ${this.api.worker} has no deployment yet: deploy it once (wrangler deploy) before a gradual rollout`, false);
    }
    return splitOfDeployment(live);
  }

  async applySplit(split: Split, note: string): Promise<void> {
    const live = await this.liveDeployment();
    if (live && splitsEqual(splitOfDeployment(live), asDeployed(split))) return;
    await this.deploy(split, note);
  }

  /** Overrides reach only versions in the live deployment: add `version` at 0% beside `stable`, then let it propagate. */
  async prepareOverride(stable: string, version: string, note: string): Promise<void> {
    const live = await this.liveDeployment();
    if (live?.versions.some(({ version_id }) => version_id === version)) return;
    await this.deploy(
      [
        { version: stable, percent: 100 },
        { version, percent: 0 },
      ],
      note,
    );
    await this.clock.sleepUntil(this.clock.now() + this.propagationDelayMs);
  }

  overrideHeaders(version: string): Record<string, string> {
    return { [OVERRIDE_HEADER]: serializeDictionary({ [this.api.worker]: version }) };
  }

  /** The deployment serving traffic: the newest one. */
  private async liveDeployment(): Promise<Deployment | undefined> {
    const { accountId, worker } = this.api;
    const list = await this.api.call(`read the deployments of Worker ${worker}`, deploymentListSchema, (sdk) =>
      sdk.workers.scripts.deployments.list(worker, { account_id: accountId }),
    );
    return list.result.deployments[0];
  }

  private async deploy(split: Split, note: string): Promise<void> {
    const { accountId, worker } = this.api;
    await this.api.call(`deploy ${describeSplit(split) || "an empty split"} to Worker ${worker}`, deploymentSchema, (sdk) =>
      sdk.workers.scripts.deployments.create(worker, {
        account_id: accountId,
        strategy: "percentage",
        versions: deploymentVersionsOf(split),
        annotations: { "workers/message": note },
      }),
    );
  }
}

/** "#12, uploaded 2026-11-22T01:02:03Z by ada@example.com: fix checkout" */
function describeVersion({ number, metadata, annotations }: WorkerVersion): string {
  let label = number === undefined ? "version" : `#${number}`;
  if (metadata?.created_on) label += `, uploaded ${metadata.created_on}`;
  if (metadata?.author_email) label += ` by ${metadata.author_email}`;
  const message = annotations?.["workers/message"];
  return message ? `${label}: ${message}` : label;
}

/** The split as it is sent, zero shares and all: "a1=100%, b2=0%". */
function describeSplit(split: Split): string {
  return split.map(({ version, percent }) => `${version}=${percent}%`).join(", ");
}
