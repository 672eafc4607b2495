import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { drizzle, type PgliteDatabase } from "drizzle-orm/pglite";
import { migrate } from "drizzle-orm/pglite/migrator";
import { lockDataDir } from "./data-dir-lock.js";
import * as schema from "./schema.js";

export type Database = PgliteDatabase<typeof schema>;

export interface OpenDatabase {
  db: Database;
  close(): Promise<void>;
}

const MIGRATIONS = new URL("./migrations", import.meta.url).pathname;

/**
 * Opens the embedded PostgreSQL (PGlite) in a data directory, or in memory when none is given,
 * and brings its schema up to date.
 */
export async function openEmbeddedDatabase(dataDir?: string): Promise<OpenDatabase> {
  const lock = dataDir ? lockDataDir(dataDir) : undefined;
  if (lock instanceof Error) throw lock;
  const client = dataDir ? new PGlite(join(dataDir, "pgdata")) : new PGlite();
  const close = async () => {
    await client.close();
    lock?.release();
  };
  try {
    await migrate(drizzle(client, { schema }), { migrationsFolder: MIGRATIONS });
  } catch (error) {
    await close();
    throw error;
  }
  return { db: drizzle(client, { schema }), close };
}
