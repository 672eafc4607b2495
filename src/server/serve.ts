import { join } from "node:path";
import { openDatabase } from "../store/database.js";
import { systemClock, type Clock } from "../support/clock.js";
import type { HostPort } from "../support/listen.js";
import { loadSecretKey } from "./auth/secret-box.js";
import { bootstrap, type BootstrapSettings } from "./bootstrap.js";
import { startServer, type RunningServer } from "./server.js";

export interface ServeSettings {
  address: HostPort;
  /** Where the embedded database and the key file live. */
  dataDir: string;
  /** DATABASE_URL: a PostgreSQL server instead of the embedded database. */
  databaseUrl?: string;
  /** GLIDEPATH_SECRET_KEY: seals stored credentials; replicas sharing a database must share it. */
  secretKey?: string;
  publicUrl?: string;
  /** A dashboard build to serve instead of the one in dist/web. */
  dashboardDir?: string;
  bootstrap: BootstrapSettings;
  /** How long a replica holds a release it drives (see Scheduler); 4 s by default. */
  leaseMs?: number;
  clock?: Clock;
}

export interface Serving {
  server: RunningServer;
  /** On a first start with nobody to sign in: the one-time link that sets up the first admin. */
  setupUrl?: string;
  close(): Promise<void>;
}

/** `glidepath serve`: opens the database and the secret key, prepares a first start, and serves. */
export async function serve(settings: ServeSettings): Promise<Serving | Error> {
  const clock = settings.clock ?? systemClock;
  if (settings.databaseUrl !== undefined && settings.secretKey === undefined) {
    return new Error(
      "with DATABASE_URL, set GLIDEPATH_SECRET_KEY too (e.g. openssl rand -base64 32): every replica must seal and open credentials with the same key",
    );
  }
  const secretKey = loadSecretKey(settings.secretKey, join(settings.dataDir, "secret.key"));
  if (secretKey instanceof Error) return secretKey;
  const database = await openDatabase({ databaseUrl: settings.databaseUrl, dataDir: settings.dataDir });
  if (database instanceof Error) return database;
  let server: RunningServer;
  try {
    server = await startServer({
      database,
      clock,
      secretKey,
      address: settings.address,
      publicUrl: settings.publicUrl,
      dashboardDir: settings.dashboardDir,
      leaseMs: settings.leaseMs,
    });
  } catch (error) {
    await database.close();
    return error as Error;
  }
  const close = async () => {
    await server.close();
    await database.close();
  };
  const prepared = await bootstrap(server.services.identities, settings.bootstrap, clock.now());
  if (prepared instanceof Error) {
    await close();
    return prepared;
  }
  const setupUrl = prepared.kind === "setup_link" ? `${server.services.publicUrl}/setup#${prepared.secret}` : undefined;
  return { server, setupUrl, close };
}
