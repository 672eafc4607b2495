import type { Clock } from "../support/clock.js";
import type { Engine } from "../engine/engine.js";
import type { AuditStore } from "../store/audit-store.js";
import type { Database } from "../store/database.js";
import type { IdentityStore, Team } from "../store/identity-store.js";
import type { ReleaseStore } from "../store/release-store.js";
import type { Role } from "./auth/roles.js";
import type { SecretBox } from "./auth/secret-box.js";
import type { LoginLimiter } from "./auth/login-limiter.js";
import type { DatabaseOutage } from "./database-outage.js";
import type { ServerMetrics } from "./metrics.js";
import type { PlatformConnector } from "./platform-connections.js";

/** Who is calling: a person signed in through the dashboard, or an API token. */
export type Principal =
  | { kind: "user"; userId: string; email: string; name: string; sessionId: string; csrfToken: string }
  | { kind: "token"; tokenId: string; name: string; teamId: string; role: Role };

export interface TeamAccess {
  team: Team;
  role: Role;
}

/** Everything the routes need, made once when the server starts. */
export interface Services {
  db: Database;
  clock: Clock;
  identities: IdentityStore;
  audit: AuditStore;
  releases: ReleaseStore;
  secrets: SecretBox;
  engine: Engine;
  /** Connects releases to their platforms; told when a connection changes. */
  platforms: PlatformConnector;
  loginLimiter: LoginLimiter;
  metrics: ServerMetrics;
  /** Where people reach this server, for links in messages, e.g. "http://127.0.0.1:8080". */
  publicUrl: string;
  /** Tells the release scheduler that something may be due now. */
  nudge(): void;
  /** Whether the database is out of reach; said once per outage, not per failed request. */
  outage: DatabaseOutage;
  /** Where the server reports what goes wrong in the background: one line each. */
  log(line: string): void;
}

export interface ServerEnv {
  Variables: {
    services: Services;
    principal: Principal;
    access: TeamAccess;
  };
}

export function actorName(principal: Principal): string {
  return principal.kind === "user" ? principal.email : `token ${principal.name}`;
}
