import { drizzle } from "drizzle-orm/node-postgres";
import { migrate } from "drizzle-orm/node-postgres/migrator";
import pg from "pg";
import type { OpenDatabase } from "./database.js";
import { MIGRATIONS_FOLDER } from "./migrations-folder.js";
import * as schema from "./schema.js";

const CONNECT_TIMEOUT_MS = 10_000;
/** Any fixed number works; it only has to be the same in every replica. */
const MIGRATION_LOCK = 7_021_938_411;

/**
 * Opens a PostgreSQL server through a node-postgres pool and brings its schema up to date.
 * Replicas starting together take turns migrating, under a session advisory lock.
 */
export async function openServerPostgres(databaseUrl: string): Promise<OpenDatabase | Error> {
  const server = describeServer(databaseUrl);
  if (server instanceof Error) return server;
  const pool = new pg.Pool({ connectionString: databaseUrl, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  // A server that drops an idle connection makes the pool emit "error"; unheard, that would end the
  // process. The pool has already discarded that connection, and the next query opens a new one.
  pool.on("error", () => {});
  const close = () => pool.end();

  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (error) {
    await close();
    return connectionError(server, error);
  }
  try {
    await client.query("select pg_advisory_lock($1)", [MIGRATION_LOCK]);
    await migrate(drizzle({ client, schema }), { migrationsFolder: MIGRATIONS_FOLDER });
    await client.query("select pg_advisory_unlock($1)", [MIGRATION_LOCK]);
  } catch (error) {
    client.release(true);
    await close();
    throw error;
  }
  client.release();
  return { db: drizzle({ client: pool, schema }), close };
}

interface Server {
  host: string;
  port: number;
  database: string;
}

function describeServer(databaseUrl: string): Server | Error {
  try {
    // Parses the URL (and the PG* environment defaults) exactly as the pool will, without connecting.
    const { host, port, database, user } = new pg.Client(databaseUrl);
    return { host, port, database: database ?? user ?? "" };
  } catch {
    return new Error("DATABASE_URL is not a PostgreSQL URL; expected postgresql://user:password@host:port/database");
  }
}

function connectionError({ host, port, database }: Server, error: unknown): Error {
  const where = `PostgreSQL at ${host}:${port}, database "${database}"`;
  const code = errorCode(error);
  switch (code) {
    case "ECONNREFUSED":
      return new Error(`cannot connect to ${where}: connection refused; check the host and port in DATABASE_URL and that the server is running`);
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return new Error(`cannot connect to ${where}: host "${host}" not found; check the host in DATABASE_URL`);
    case "28P01":
    case "28000":
      return new Error(`cannot connect to ${where}: the server refused the user or password; check the credentials in DATABASE_URL`);
    case "3D000":
      return new Error(`cannot connect to ${where}: the database does not exist; create it or fix the database name in DATABASE_URL`);
  }
  const message = error instanceof Error ? error.message : String(error);
  return new Error(`cannot connect to ${where}: ${message}; check DATABASE_URL and that the server is reachable`);
}

/** Node may report a host with several addresses (localhost) as an AggregateError of per-address errors. */
function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: string } | null)?.code;
  if (code === undefined && error instanceof AggregateError) return errorCode(error.errors[0]);
  return code;
}
