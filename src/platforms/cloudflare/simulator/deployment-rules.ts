import { invalidRequest, type ApiFailure } from "./api-errors.js";
import type { DeploymentVersion, SimulatedScript } from "./model.js";

/** Only the newest this many versions of a script can be deployed or rolled back to. */
export const DEPLOYABLE_VERSION_LIMIT = 100;

/** Wrangler sends up to three decimals and accepts a total this close to 100 (plus room for float rounding). */
const TOTAL_TOLERANCE = 0.001 + 1e-9;

const MESSAGE_LIMIT_BYTES = 1000;

export interface DeploymentRequest {
  versions: DeploymentVersion[];
  message?: string;
}

/** The newest versions, newest first, that a deployment may name. */
export function deployableVersions(script: SimulatedScript) {
  return script.versions.slice(-DEPLOYABLE_VERSION_LIMIT).reverse();
}

/**
 * Checks a `POST .../deployments` body the way the API does: strategy "percentage", one or two
 * distinct versions that exist and are deployable, each between 0 and 100 percent (0 is allowed,
 * as Cloudflare's docs deploy a version at 0% for override tests), totalling 100.
 */
export function parseDeploymentRequest(body: unknown, script: SimulatedScript): DeploymentRequest | ApiFailure {
  if (!isRecord(body)) return invalidRequest("The request body must be a JSON object");
  if (body.strategy !== "percentage") return invalidRequest(`strategy must be "percentage", got ${JSON.stringify(body.strategy)}`);
  const versions = body.versions;
  if (!Array.isArray(versions) || versions.length < 1 || versions.length > 2) {
    return invalidRequest("versions must list one or two versions, each with a version_id and a percentage");
  }
  const parsed: DeploymentVersion[] = [];
  for (const entry of versions as unknown[]) {
    if (!isRecord(entry) || typeof entry.version_id !== "string" || typeof entry.percentage !== "number") {
      return invalidRequest("each entry of versions needs a version_id (string) and a percentage (number)");
    }
    const { version_id, percentage } = entry;
    if (!(percentage >= 0 && percentage <= 100)) return invalidRequest(`percentage for version ${version_id} must be between 0 and 100, got ${percentage}`);
    if (parsed.some((seen) => seen.version_id === version_id)) return invalidRequest(`version ${version_id} appears more than once`);
    parsed.push({ version_id, percentage });
  }
  const total = parsed.reduce((sum, { percentage }) => sum + percentage, 0);
  if (Math.abs(total - 100) > TOTAL_TOLERANCE) return invalidRequest(`percentages must total 100, got ${total}`);

  const deployable = new Set(deployableVersions(script).map(({ id }) => id));
  for (const { version_id } of parsed) {
    if (!script.versions.some(({ id }) => id === version_id)) return invalidRequest(`version ${version_id} does not exist for script ${script.name}`);
    if (!deployable.has(version_id)) {
      return invalidRequest(`version ${version_id} is not among the newest ${DEPLOYABLE_VERSION_LIMIT} versions and cannot be deployed`);
    }
  }
  const message = parseMessage(body.annotations);
  if (message instanceof Error) return invalidRequest(message.message);
  return message === undefined ? { versions: parsed } : { versions: parsed, message };
}

function parseMessage(annotations: unknown): string | undefined | Error {
  if (annotations === undefined) return undefined;
  if (!isRecord(annotations)) return new Error("annotations must be an object");
  const message = annotations["workers/message"];
  if (message === undefined) return undefined;
  if (typeof message !== "string") return new Error('annotations["workers/message"] must be a string');
  return truncateUtf8(message, MESSAGE_LIMIT_BYTES);
}

function truncateUtf8(text: string, limitBytes: number): string {
  const bytes = Buffer.from(text, "utf8");
  return bytes.length <= limitBytes ? text : bytes.subarray(0, limitBytes).toString("utf8").replace(/\uFFFD$/, "");
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
