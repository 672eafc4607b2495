import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashSecret } from "../src/server/auth/credentials.js";
import { bootstrap, DEFAULT_TEAM } from "../src/server/bootstrap.js";
import { apiDocument } from "../src/server/app.js";
import { type RunningServer, startServer } from "../src/server/server.js";
import { openDatabase, type OpenDatabase } from "../src/store/database.js";
import { systemClock } from "../src/support/clock.js";
import { type PostgresServer, startPostgresServer } from "./support/postgres-server.js";

/** `glidepath serve` on a PostgreSQL server that goes away mid-flight and comes back. */

const TOKEN = "gp_outage_admin_token_0123456789abcdefgh";

let postgres: PostgresServer;
let database: OpenDatabase;
let server: RunningServer;
const logged: string[] = [];

beforeAll(async () => {
  postgres = await startPostgresServer();
  const opened = await openDatabase({ databaseUrl: postgres.url });
  if (opened instanceof Error) throw opened;
  database = opened;
  server = await startServer({ database, clock: systemClock, secretKey: randomBytes(32), address: { host: "127.0.0.1", port: 0 }, log: (line) => logged.push(line) });
  const ready = await bootstrap(server.services.identities, { bootstrapToken: TOKEN }, systemClock.now());
  if (ready instanceof Error) throw ready;
}, 60_000);

afterAll(async () => {
  await server?.close();
  await database?.close();
  await postgres?.remove();
});

const api = (path: string, init: RequestInit = {}) =>
  fetch(`${server.url}${path}`, { ...init, headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json", ...init.headers } });

/** Every documented operation, its path parameters filled with names that need the database to resolve. */
function everyOperation(): { method: string; path: string }[] {
  const paths = apiDocument().paths ?? {};
  return Object.entries(paths).flatMap(([path, item]) =>
    Object.keys(item ?? {})
      .filter((method) => ["get", "post", "put", "patch", "delete"].includes(method))
      .map((method) => ({ method: method.toUpperCase(), path: `/api/v1${path.replaceAll("{team}", DEFAULT_TEAM.slug).replace(/\{[^}]+\}/g, "x")}` })),
  );
}

async function untilHealthy(): Promise<number> {
  for (let attempt = 1; attempt <= 300; attempt++) {
    if ((await fetch(`${server.url}/healthz`)).status === 200) return attempt;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error("/healthz did not recover");
}

describe("a database outage", () => {
  it("answers 503 with Retry-After on every route, logs it once without a query's parameters, and recovers without a restart", async () => {
    expect((await api(`/api/v1/teams/${DEFAULT_TEAM.slug}/releases`)).status).toBe(200);

    await postgres.stop();
    const operations = everyOperation().filter(({ path }) => path !== "/api/v1/openapi.json");
    expect(operations.length).toBeGreaterThan(50);
    for (const { method, path } of operations) {
      const response = await api(path, { method, ...(method !== "GET" && method !== "DELETE" && { body: "{}" }) });
      expect({ method, path, status: response.status }).toEqual({ method, path, status: 503 });
      expect(response.headers.get("retry-after")).toBe("5");
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe("unavailable");
    }
    expect((await fetch(`${server.url}/healthz`)).status).toBe(503);

    const outageLines = logged.filter((line) => line.includes("does not answer"));
    expect(outageLines).toHaveLength(1);
    expect(logged.join("\n")).not.toContain(hashSecret(TOKEN));
    expect(logged.join("\n")).not.toMatch(/params:|Failed query/);

    await postgres.start();
    await untilHealthy();
    expect((await api(`/api/v1/teams/${DEFAULT_TEAM.slug}/releases`)).status).toBe(200);
    expect(logged.filter((line) => line.startsWith("the database answers again"))).toHaveLength(1);
  });
});
