import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { BUILTIN_PLANS } from "../core/builtin-plans.js";
import { createRelease, type Release } from "../core/release.js";
import { openDatabase, type DatabaseOptions, type OpenDatabase } from "./database.js";

export const NOW = Date.UTC(2026, 10, 22, 12);

export function newRelease(name = "checkout"): Release {
  return createRelease(
    {
      id: `id-${name}`,
      name,
      target: { platform: "local", config: { proxyAdmin: "http://127.0.0.1:9901" } },
      stable: "v1",
      candidate: "v2",
      plan: BUILTIN_PLANS.standard!,
    },
    NOW,
    { autoStart: true },
  );
}

/** The PostgreSQL server the store tests create their databases in. */
export const TEST_SERVER_URL = process.env.GLIDEPATH_TEST_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

export interface Backend {
  name: string;
  /** Where a new, empty database is; removed by removeFreshDatabases. */
  fresh(): Promise<DatabaseOptions>;
}

const removals: (() => Promise<void>)[] = [];

export const BACKENDS: Backend[] = [
  {
    name: "embedded PGlite",
    fresh: async () => {
      const dataDir = mkdtempSync(join(tmpdir(), "glidepath-store-"));
      removals.push(async () => rmSync(dataDir, { recursive: true, force: true }));
      return { dataDir };
    },
  },
  {
    name: "PostgreSQL",
    fresh: async () => {
      const name = `glidepath_test_${randomBytes(6).toString("hex")}`;
      await onTestServer(`create database ${name}`);
      removals.push(() => onTestServer(`drop database if exists ${name} with (force)`));
      const url = new URL(TEST_SERVER_URL);
      url.pathname = `/${name}`;
      return { databaseUrl: url.href };
    },
  },
];

export async function removeFreshDatabases(): Promise<void> {
  for (const remove of removals.splice(0)) await remove();
}

export async function open(options: DatabaseOptions): Promise<OpenDatabase> {
  const opened = await openDatabase(options);
  if (opened instanceof Error) throw opened;
  return opened;
}

async function onTestServer(statement: string): Promise<void> {
  const client = new pg.Client(TEST_SERVER_URL);
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}
