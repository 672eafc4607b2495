import { PGlite } from "@electric-sql/pglite";
import { drizzle } from "drizzle-orm/pglite";
import { migrate } from "drizzle-orm/pglite/migrator";
import type { OpenDatabase } from "./database.js";
import { MIGRATIONS_FOLDER } from "./migrations-folder.js";
import * as schema from "./schema.js";

let migrated: Promise<Blob> | undefined;

/**
 * A new, empty in-memory embedded database with the schema up to date: what
 * openEmbeddedDatabase() opens, made faster. Creating a PGlite cluster and migrating it costs
 * about two seconds of CPU; so each test file migrates one once, keeps its data directory, and
 * starts every database from a copy of it. The migrator still runs on each copy (and finds
 * nothing left to do), as on any reopen. Each database is its own: nothing is shared but the
 * starting point.
 */
export async function openMemoryDatabase(): Promise<OpenDatabase> {
  migrated ??= (async () => {
    const client = new PGlite();
    try {
      await migrate(drizzle(client, { schema }), { migrationsFolder: MIGRATIONS_FOLDER });
      return (await client.dumpDataDir("none")) as Blob;
    } finally {
      await client.close();
    }
  })();
  const client = new PGlite({ loadDataDir: await migrated });
  const db = drizzle(client, { schema });
  try {
    await migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
  } catch (error) {
    await client.close();
    throw error;
  }
  return { db, close: () => client.close() };
}
