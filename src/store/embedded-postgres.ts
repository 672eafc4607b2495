import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { drizzle } from "drizzle-orm/pglite";
import { migrate } from "drizzle-orm/pglite/migrator";
import type { OpenDatabase } from "./database.js";
import { lockDataDir } from "./data-dir-lock.js";
import { MIGRATIONS_FOLDER } from "./migrations-folder.js";
import * as schema from "./schema.js";

/**
 * Opens the embedded PostgreSQL (PGlite) in a data directory, or in memory when none is given,
 * and brings its schema up to date.
 */
export async function openEmbeddedPostgres(dataDir?: string): Promise<OpenDatabase | Error> {
  const lock = dataDir ? lockDataDir(dataDir) : undefined;
  if (lock instanceof Error) return lock;
  const client = dataDir ? new PGlite(join(dataDir, "pgdata")) : new PGlite();
  const close = async () => {
    await client.close();
    lock?.release();
  };
  const db = drizzle(client, { schema });
  try {
    await migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
  } catch (error) {
    await close();
    throw error;
  }
  return { db, close };
}
