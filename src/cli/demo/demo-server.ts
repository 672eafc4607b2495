import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bootstrap } from "../../server/bootstrap.js";
import { startServer, type RunningServer, type ServerOptions } from "../../server/server.js";
import { openDatabase } from "../../store/database.js";
import { systemClock } from "../../support/clock.js";
import { AddressInUse } from "../../support/listen.js";
import { UsageError } from "../exit-codes.js";

/** Where the demo's server listens; without a port, 8080 or any free one when 8080 is taken. */
export interface DemoServerAddress {
  host: string;
  port?: number;
}

export interface DemoServer {
  server: RunningServer;
  /** The first admin, to sign in to the dashboard. */
  admin: { email: string; password: string };
  /** An admin API token of the default team, for setting the demo up through the API. */
  apiToken: string;
  /** Stops the server and deletes its database. */
  close(): Promise<void>;
}

const DEFAULT_PORT = 8080;
const DEMO_ADMIN_EMAIL = "demo@glidepath.local";

/**
 * A Glidepath server for one demo: an embedded database in a temporary directory, a random secret
 * key, and a first admin with a random password, all gone when it closes.
 */
export async function startDemoServer(address: DemoServerAddress, log: (line: string) => void): Promise<DemoServer> {
  const dataDir = mkdtempSync(join(tmpdir(), "glidepath-demo-server-"));
  const removeDataDir = () => rmSync(dataDir, { recursive: true, force: true });
  const database = await openDatabase({ dataDir });
  if (database instanceof Error) {
    removeDataDir();
    throw database;
  }
  const options = { database, clock: systemClock, secretKey: randomBytes(32), log };
  let server: RunningServer;
  try {
    server = await listenOn(options, address);
  } catch (error) {
    await database.close();
    removeDataDir();
    throw error;
  }
  const close = async () => {
    await server.close();
    await database.close();
    removeDataDir();
  };
  const admin = { email: DEMO_ADMIN_EMAIL, password: randomBytes(12).toString("base64url") };
  const apiToken = `gp_${randomBytes(30).toString("base64url")}`;
  const prepared = await bootstrap(
    server.services.identities,
    { adminEmail: admin.email, adminPassword: admin.password, bootstrapToken: apiToken },
    systemClock.now(),
  );
  if (prepared instanceof Error) {
    await close();
    throw prepared;
  }
  return { server, admin, apiToken, close };
}

async function listenOn(options: Omit<ServerOptions, "address">, { host, port }: DemoServerAddress): Promise<RunningServer> {
  try {
    return await startServer({ ...options, address: { host, port: port ?? DEFAULT_PORT } });
  } catch (error) {
    if (!(error instanceof AddressInUse)) throw error;
    if (port !== undefined) throw new UsageError(error.message);
    return startServer({ ...options, address: { host, port: 0 } });
  }
}
