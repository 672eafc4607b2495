import { sql } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { describeDatabaseError } from "./database-errors.js";
import { openEmbeddedPostgres } from "./embedded-postgres.js";
import { openServerPostgres } from "./server-postgres.js";
import type * as schema from "./schema.js";

/** The database every store takes: embedded PGlite and a PostgreSQL server look the same to them. */
export type Database = PgDatabase<PgQueryResultHKT, typeof schema>;

export interface OpenDatabase {
  db: Database;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** A PostgreSQL server (DATABASE_URL); when absent, the embedded database is used. */
  databaseUrl?: string;
  /** Where the embedded database keeps its data; in memory when absent. Ignored with a URL. */
  dataDir?: string;
}

/**
 * Opens the PostgreSQL server given by `databaseUrl`, or else the embedded one, and brings its
 * schema up to date. An Error value says what to fix when the database cannot be opened.
 */
export async function openDatabase(options: DatabaseOptions): Promise<OpenDatabase | Error> {
  return options.databaseUrl === undefined
    ? openEmbeddedPostgres(options.dataDir)
    : openServerPostgres(options.databaseUrl);
}

/** Opens the embedded database, throwing what openDatabase would return as an Error. */
export async function openEmbeddedDatabase(dataDir?: string): Promise<OpenDatabase> {
  const opened = await openEmbeddedPostgres(dataDir);
  if (opened instanceof Error) throw opened;
  return opened;
}

/** Whether the database answers: what /healthz reports. */
export async function pingDatabase(db: Database): Promise<Error | undefined> {
  try {
    await db.execute(sql`select 1`);
    return undefined;
  } catch (error) {
    return new Error(`the database does not answer: ${describeDatabaseError(error)}`, { cause: error });
  }
}
