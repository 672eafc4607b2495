import { api, unwrap } from "../../api/client";

/** The states in which a release holds its target: at most one per target at a time. */
export const ACTIVE_STATES = "pending,running,awaiting_approval,paused";

/** How often a target's live split and running release are read again. */
export const LIVE_REFRESH_MS = 10_000;

export const PLATFORM_LABELS: Record<string, string> = {
  cloudflare: "Cloudflare Workers",
  local: "Local proxy",
};

export const targetKeys = {
  all: (team: string) => ["teams", team, "targets"] as const,
  one: (team: string, target: string) => ["teams", team, "targets", target] as const,
  activeRelease: (team: string, target: string) => ["teams", team, "targets", target, "active-release"] as const,
  connections: (team: string) => ["teams", team, "connections"] as const,
  plans: (team: string) => ["teams", team, "plans"] as const,
};

export function fetchTargets(team: string) {
  return unwrap(api.GET("/api/v1/teams/{team}/targets", { params: { path: { team } } }));
}
