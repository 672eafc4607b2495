import type { Split } from "../../core/split.js";
import type { Deployment, DeploymentVersion } from "./api-contract.js";

/** The split a deployment serves, in its own order (entries at 0% included). */
export function splitOfDeployment(deployment: Deployment): Split {
  return deployment.versions.map(({ version_id, percentage }) => ({ version: version_id, percent: percentage }));
}

/** The split as Cloudflare will hold it: percentages with three decimals, as wrangler sends them. */
export function asDeployed(split: Split): Split {
  return split.map(({ version, percent }) => ({ version, percent: Math.round(percent * 1000) / 1000 }));
}

/**
 * The `versions` of a deployment that serves `split`. Apart from the rounding of asDeployed, the
 * split is passed as it is, so Cloudflare's own rules (one or two versions, totalling 100) decide
 * and explain what it refuses.
 */
export function deploymentVersionsOf(split: Split): DeploymentVersion[] {
  return asDeployed(split).map(({ version, percent }) => ({ version_id: version, percentage: percent }));
}
