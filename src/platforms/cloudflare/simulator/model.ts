import type { VersionBehaviour } from "./behaviour.js";

/** A Worker version as the simulator keeps it; `toApiVersion` gives its API shape. */
export interface SimulatedVersion {
  id: string;
  number: number;
  createdAtMs: number;
  source: string;
  message?: string;
  behaviour: VersionBehaviour;
}

export interface DeploymentVersion {
  version_id: string;
  percentage: number;
}

export interface SimulatedDeployment {
  id: string;
  createdAtMs: number;
  source: string;
  versions: DeploymentVersion[];
  message?: string;
}

export interface SimulatedScript {
  accountId: string;
  name: string;
  /** Requests per second reaching the script, split between the versions of the live deployment. */
  rps: number;
  /** Oldest first. */
  versions: SimulatedVersion[];
  /** Oldest first; the last one serves traffic. */
  deployments: SimulatedDeployment[];
}

export const AUTHOR_EMAIL = "simulator@glidepath.invalid";
export const AUTHOR_ID = "5f6b0d1c2e3a4b5c6d7e8f9a0b1c2d3e";

/** Cloudflare writes timestamps with microseconds, e.g. 2026-11-22T02:30:00.123000Z. */
export function cloudflareTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}

export function toApiVersion(version: SimulatedVersion) {
  const timestamp = cloudflareTimestamp(version.createdAtMs);
  return {
    id: version.id,
    number: version.number,
    metadata: {
      created_on: timestamp,
      modified_on: timestamp,
      source: version.source,
      author_id: AUTHOR_ID,
      author_email: AUTHOR_EMAIL,
      hasPreview: false,
    },
    annotations: {
      "workers/triggered_by": "upload",
      ...(version.message === undefined ? {} : { "workers/message": version.message }),
    },
  };
}

export function toApiDeployment(deployment: SimulatedDeployment) {
  return {
    id: deployment.id,
    created_on: cloudflareTimestamp(deployment.createdAtMs),
    source: deployment.source,
    strategy: "percentage" as const,
    versions: deployment.versions.map(({ version_id, percentage }) => ({ version_id, percentage })),
    annotations: {
      "workers/triggered_by": "deployment",
      ...(deployment.message === undefined ? {} : { "workers/message": deployment.message }),
    },
    author_email: AUTHOR_EMAIL,
  };
}

export function liveDeployment(script: SimulatedScript): SimulatedDeployment {
  const live = script.deployments.at(-1);
  if (!live) throw new Error(`script ${script.name} has no deployment`);
  return live;
}
