import type { Split } from "../../core/split.js";
import type { Deployment, DeploymentVersion } from "./api-contract.js";

/** The split a deployment serves, in its own order (entries at 0% included). */
export function splitOfDeployment(deployment: Deployment): Split {
  return deployment.versions.map(({ version_id, percentage }) => ({ version: version_id, percent: percentage }));
}

/**
 * The `versions` of a deployment that serves `split`. Percentages keep three decimals, as
 * wrangler sends them; the split is otherwise passed as it is, so Cloudflare's own rules (one or
 * two versions, totalling 100) decide and explain what it refuses.
 */
export function deploymentVersionsOf(split: Split): DeploymentVersion[] {
  return split.map(({ version, percent }) => ({ version_id: version, percentage: Math.round(percent * 1000) / 1000 }));
}
