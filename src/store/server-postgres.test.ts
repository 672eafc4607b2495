import { readFileSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { openDatabase } from "./database.js";
import { MIGRATIONS_FOLDER } from "./migrations-folder.js";
import { BACKENDS, TEST_SERVER_URL, open, removeFreshDatabases } from "./store.test-support.js";

afterEach(removeFreshDatabases);

const POSTGRES = BACKENDS[1]!;
const journal = JSON.parse(readFileSync(join(MIGRATIONS_FOLDER, "meta/_journal.json"), "utf8")) as { entries: unknown[] };
const COMMITTED_MIGRATIONS = journal.entries.length;

/** Opens the database as Glidepath does, then counts the migrations recorded in it. */
async function appliedMigrations(databaseUrl: string): Promise<number> {
  await (await open({ databaseUrl })).close();
  const client = new pg.Client(databaseUrl);
  await client.connect();
  try {
    const { rows } = await client.query<{ count: number }>("select count(*)::int as count from drizzle.__drizzle_migrations");
    return rows[0]!.count;
  } finally {
    await client.end();
  }
}

describe("PostgreSQL server", () => {
  it("applies the migrations to a fresh database, and opening it again applies nothing", async () => {
    const { databaseUrl } = await POSTGRES.fresh();
    expect(await appliedMigrations(databaseUrl!)).toBe(COMMITTED_MIGRATIONS);
    expect(await appliedMigrations(databaseUrl!)).toBe(COMMITTED_MIGRATIONS);
  });

  it("lets replicas that start together migrate one at a time", async () => {
    const { databaseUrl } = await POSTGRES.fresh();
    const replicas = await Promise.all([1, 2, 3].map(() => open({ databaseUrl })));
    await Promise.all(replicas.map((replica) => replica.close()));
    expect(await appliedMigrations(databaseUrl!)).toBe(COMMITTED_MIGRATIONS);
  });

  it("says where it could not connect and what to check, without the password", async () => {
    const opened = await openDatabase({ databaseUrl: "postgresql://glidepath:s3cret@127.0.0.1:1/releases" });
    expect(opened).toBeInstanceOf(Error);
    const { message } = opened as Error;
    expect(message).toContain('PostgreSQL at 127.0.0.1:1, database "releases"');
    expect(message).toContain("connection refused; check the host and port in DATABASE_URL");
    expect(message).not.toContain("s3cret");
  });

  it("says when the database does not exist", async () => {
    const url = new URL(TEST_SERVER_URL);
    url.pathname = "/glidepath_no_such_database";
    const opened = await openDatabase({ databaseUrl: url.href });
    expect((opened as Error).message).toContain('database "glidepath_no_such_database": the database does not exist');
  });
});
