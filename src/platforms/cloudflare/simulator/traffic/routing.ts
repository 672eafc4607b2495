import { createHash } from "node:crypto";
import { parseDictionary } from "structured-headers";
import type { SimulatedDeployment, SimulatedScript } from "../model.js";

/** The two request headers with which a client steers Cloudflare's version routing. */
export interface RoutingHeaders {
  /** `Cloudflare-Workers-Version-Key`: requests with the same key land on the same version. */
  key?: string;
  /** `Cloudflare-Workers-Version-Overrides`, e.g. `my-worker="<version uuid>"`. */
  overrides?: string;
}

/**
 * The version that serves a request, as Cloudflare routes it: an override naming a version of the
 * live deployment wins (even at 0%); otherwise the position of the request in [0, 100), from the
 * hash of its version key or at random, is laid onto the percentages in a fixed order, newest
 * version first, so that keys already on a growing new version stay there.
 */
export function routeRequest(script: SimulatedScript, deployment: SimulatedDeployment, headers: RoutingHeaders, uniform: () => number): string {
  const overridden = overriddenVersion(script.name, headers.overrides);
  if (overridden && deployment.versions.some(({ version_id }) => version_id === overridden)) return overridden;

  const position = headers.key === undefined ? uniform() * 100 : keyPosition(headers.key);
  const numberOf = (id: string) => script.versions.find((version) => version.id === id)?.number ?? 0;
  const newestFirst = [...deployment.versions].sort((a, b) => numberOf(b.version_id) - numberOf(a.version_id));
  let upTo = 0;
  for (const { version_id, percentage } of newestFirst) {
    upTo += percentage;
    if (position < upTo) return version_id;
  }
  return newestFirst.findLast(({ percentage }) => percentage > 0)!.version_id;
}

/** Where a version key falls in [0, 100). */
export function keyPosition(key: string): number {
  return (createHash("sha256").update(key).digest().readUInt32BE(0) / 2 ** 32) * 100;
}

/** The version the overrides header names for this script, or undefined when it names none or cannot be parsed. */
function overriddenVersion(script: string, header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  try {
    const member = parseDictionary(header).get(script);
    const value = Array.isArray(member) ? member[0] : undefined;
    return typeof value === "string" ? value : undefined;
  } catch {
    return undefined;
  }
}
