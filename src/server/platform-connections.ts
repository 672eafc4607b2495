import type { Release, TargetRef } from "../core/release.js";
import { connectPlatform, verifyPlatformAccount, type PlatformSecrets } from "../platforms/registry.js";
import { type DeploymentTarget, type MetricsSource, type PlatformConnection, PlatformError } from "../platforms/types.js";
import { ConfigStore, type Connection, type Target } from "../store/config-store.js";
import type { Database } from "../store/database.js";
import type { SecretBox } from "./auth/secret-box.js";
import type { ServerMetrics } from "./metrics.js";

/** A connection's credentials, as sealed in its row: one of them, by platform, or none. */
export interface ConnectionSecret {
  /** Cloudflare: the API token. */
  apiToken?: string;
  /** Local: the proxy's admin token, when it was started with one. */
  adminToken?: string;
}

/** What a sealed secret is bound to, so it opens only on its own row. */
const secretBinding = (connectionId: string) => `connection:${connectionId}`;

/** The sealed form of a connection's credentials; "" when there are none (a local proxy without a token). */
export function sealConnectionSecret(secrets: SecretBox, connectionId: string, secret: ConnectionSecret): string {
  const present = Object.fromEntries(Object.entries(secret).filter(([, value]) => value !== undefined && value !== ""));
  return Object.keys(present).length === 0 ? "" : secrets.seal(JSON.stringify(present), secretBinding(connectionId));
}

/** The connection's credentials, or an Error that says why they cannot be opened. */
export function openConnectionSecret(secrets: SecretBox, connection: Pick<Connection, "id" | "sealedSecret">): ConnectionSecret | Error {
  if (connection.sealedSecret === "") return {};
  const opened = secrets.open(connection.sealedSecret, secretBinding(connection.id));
  if (opened instanceof Error) return opened;
  try {
    return JSON.parse(opened) as ConnectionSecret;
  } catch {
    return new Error("a stored secret is not in a known format; enter the connection's credentials again");
  }
}

/** The credentials as the platform registry takes them. */
function platformSecrets(secret: ConnectionSecret): PlatformSecrets {
  return { proxyToken: secret.adminToken, cloudflareApiToken: secret.apiToken };
}

/** A connection's settings under the names a release's TargetRef config gives them. */
function connectionConfig(connection: Pick<Connection, "platform" | "settings">): Record<string, string> {
  const { settings } = connection;
  if (connection.platform === "local") return { proxyAdmin: settings.adminUrl ?? "" };
  return Object.fromEntries(Object.entries({ accountId: settings.accountId, apiBaseUrl: settings.apiBaseUrl }).filter(([, value]) => value !== undefined)) as Record<
    string,
    string
  >;
}

/**
 * What a release made through the server stores as its target: the platform and every setting
 * the platform needs except the credentials, which stay sealed in the connection named by
 * `config.connectionId`.
 */
export function targetRefFor(target: Pick<Target, "settings">, connection: Pick<Connection, "id" | "platform" | "settings">): TargetRef {
  return { platform: connection.platform, config: { ...target.settings, ...connectionConfig(connection), connectionId: connection.id } };
}

/** Connects to a platform and counts each call, and each failure, in the server's metrics. */
export function connectCounted(ref: TargetRef, secret: ConnectionSecret, metrics?: ServerMetrics): PlatformConnection {
  const open = async () => connectPlatform(ref, platformSecrets(secret));
  return counted(ref.platform, open, () => connectPlatform(ref, placeholderSecrets()), metrics);
}

/**
 * Tries a new or changed connection with one cheap call: the local proxy's split, or for
 * Cloudflare, whether the token may read the account's Workers. An Error says what failed.
 */
export async function testConnection(
  connection: Pick<Connection, "platform" | "settings">,
  secret: ConnectionSecret,
  metrics?: ServerMetrics,
): Promise<Error | undefined> {
  const ref = { platform: connection.platform, config: connectionConfig(connection) };
  try {
    await countCall(metrics, connection.platform, "verifyAccount", () => verifyPlatformAccount(ref, platformSecrets(secret)));
    return undefined;
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

/** The engine's `connect`, plus a way to forget a connection's cached credentials at once. */
export interface PlatformConnector {
  (release: Pick<Release, "target">): PlatformConnection;
  /** Drops the cached credentials of a connection; the next call reads them again. */
  invalidate(connectionId: string): void;
}

interface CachedConnection {
  updatedAt: number;
  /** When the row was last read; it is read again after ROW_FRESH_MS. */
  readAt: number;
  connection: Connection;
  secret: ConnectionSecret;
  /** The platform adapters built with this secret, per release target: built once, kept while the row stays the same. */
  adapters: Map<string, PlatformConnection>;
}

/** How long a connection's row is trusted before it is read again: how soon another replica's edit reaches running releases. */
const ROW_FRESH_MS = 5_000;

/**
 * Connects a release to its target's platform with the credentials of the target's connection.
 * The connection's row is read at most every few seconds; its secret is opened, and the
 * platform's adapters built, once per version of the row (its updatedAt), so an edit on any
 * replica takes effect and invalidate() makes one on this replica take effect at once. The
 * connection's current settings win over those copied into the release, so a moved proxy or new
 * account settings reach running releases too.
 */
export function createPlatformConnector(
  db: Database,
  secrets: SecretBox,
  metrics?: ServerMetrics,
  monotonicNow: () => number = () => performance.now(),
): PlatformConnector {
  const store = new ConfigStore(db);
  const cache = new Map<string, CachedConnection>();

  async function load(connectionId: string): Promise<CachedConnection> {
    const cached = cache.get(connectionId);
    const now = monotonicNow();
    if (cached && now - cached.readAt < ROW_FRESH_MS) return cached;
    const row = await store.connectionById(connectionId);
    if (!row) {
      cache.delete(connectionId);
      throw new PlatformError(`the target's connection (${connectionId}) has been deleted; create it again and point the target at it`, false);
    }
    if (cached && cached.updatedAt === row.updatedAt.getTime()) {
      cached.readAt = now;
      return cached;
    }
    const secret = openConnectionSecret(secrets, row);
    if (secret instanceof Error) throw new PlatformError(`connection ${row.name}: ${secret.message}`, false);
    const fresh = { updatedAt: row.updatedAt.getTime(), readAt: now, connection: row, secret, adapters: new Map() };
    cache.set(connectionId, fresh);
    return fresh;
  }

  const effectiveRef = (ref: TargetRef, connection: Connection | undefined): TargetRef =>
    connection ? { platform: connection.platform, config: { ...ref.config, ...connectionConfig(connection) } } : ref;

  const connect = (release: Pick<Release, "target">): PlatformConnection => {
    const ref = release.target;
    const connectionId = ref.config.connectionId;
    const open = async () => {
      if (!connectionId) {
        throw new PlatformError(`this release's ${ref.platform} target names no server connection; it was not made by the server`, false);
      }
      const cached = await load(connectionId);
      const effective = effectiveRef(ref, cached.connection);
      const key = JSON.stringify(effective.config);
      let adapters = cached.adapters.get(key);
      if (!adapters) {
        adapters = connectPlatform(effective, platformSecrets(cached.secret));
        cached.adapters.set(key, adapters);
      }
      return adapters;
    };
    // Override headers name only the version (and the Worker), never a credential, and must be synchronous.
    const forHeaders = () => {
      const cached = connectionId === undefined ? undefined : cache.get(connectionId);
      return connectPlatform(effectiveRef(ref, cached?.connection), placeholderSecrets());
    };
    return counted(ref.platform, open, forHeaders, metrics);
  };
  return Object.assign(connect, { invalidate: (connectionId: string) => void cache.delete(connectionId) });
}

/** Secrets that let a connection be built for its synchronous parts; no call is made with them. */
function placeholderSecrets(): PlatformSecrets {
  return { cloudflareApiToken: "unused-for-override-headers" };
}

/** A PlatformConnection that opens the real one per call and counts every call and failure. */
function counted(
  platform: string,
  open: () => Promise<PlatformConnection>,
  forHeaders: () => PlatformConnection,
  metrics: ServerMetrics | undefined,
): PlatformConnection {
  const call = <T>(operation: string, run: (connection: PlatformConnection) => Promise<T>) =>
    countCall(metrics, platform, operation, async () => run(await open()));
  const target: DeploymentTarget = {
    listVersions: () => call("listVersions", ({ target }) => target.listVersions()),
    currentSplit: () => call("currentSplit", ({ target }) => target.currentSplit()),
    applySplit: (split, note) => call("applySplit", ({ target }) => target.applySplit(split, note)),
    prepareOverride: (stable, version, note) => call("prepareOverride", ({ target }) => target.prepareOverride(stable, version, note)),
    overrideHeaders: (version) => forHeaders().target.overrideHeaders(version),
  };
  const source: MetricsSource = {
    query: (window, versions) => call("metricsQuery", ({ metrics: m }) => m.query(window, versions)),
  };
  return { target, metrics: source };
}

async function countCall<T>(metrics: ServerMetrics | undefined, platform: string, operation: string, run: () => Promise<T>): Promise<T> {
  metrics?.platformCalls.inc({ platform, operation });
  try {
    return await run();
  } catch (error) {
    metrics?.platformErrors.inc({ platform, operation });
    throw error;
  }
}

/** A platform's message in the server's words: the CLI's flags and variables become the API's fields. */
export function inServerTerms(message: string): string {
  return message
    .replace("; pass --proxy-token", "; check the connection's adminToken")
    .replace("check CLOUDFLARE_API_TOKEN;", "check the connection's apiToken;")
    .replace("check --worker and --account-id", "check the target's worker and the connection's accountId")
    .replace("(and Workers Observability Read for --metrics observability)", "(and Workers Observability Read for metrics: observability)");
}

/** Runs a platform call that must not hold up an answer for long; a slow platform is an Error. */
export async function withinMs<T>(ms: number, call: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new PlatformError(`${what} did not answer within ${ms / 1000}s`, true)), ms);
  });
  try {
    return await Promise.race([call, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
