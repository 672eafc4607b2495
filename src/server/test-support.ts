import { openMemoryDatabase } from "../store/memory-database.test-support.js";
import { systemClock, type Clock } from "../support/clock.js";
import { randomBytes } from "node:crypto";
import { bootstrap, DEFAULT_TEAM } from "./bootstrap.js";
import { startServer, type RunningServer } from "./server.js";

export const ADMIN_TOKEN = "gp_test_admin_token_0123456789abcdef";

export interface TestServer extends RunningServer {
  /** The default team's slug; ADMIN_TOKEN is an admin token of it. */
  team: string;
  /** fetch against the server with the admin token unless `token` says otherwise (null: none). */
  api(path: string, init?: RequestInit & { token?: string | null; json?: unknown }): Promise<Response>;
}

/** A real server on loopback over an in-memory database, with ADMIN_TOKEN as its bootstrap token. */
export async function startTestServer({ clock = systemClock }: { clock?: Clock } = {}): Promise<TestServer> {
  const database = await openMemoryDatabase();
  const server = await startServer({ database, clock, secretKey: randomBytes(32), address: { host: "127.0.0.1", port: 0 } });
  const ready = await bootstrap(server.services.identities, { bootstrapToken: ADMIN_TOKEN }, clock.now());
  if (ready instanceof Error) throw ready;
  return {
    ...server,
    team: DEFAULT_TEAM.slug,
    api: (path, { token = ADMIN_TOKEN, json, headers, ...init } = {}) =>
      fetch(server.url + path, {
        ...init,
        headers: {
          ...(token !== null && { authorization: `Bearer ${token}` }),
          ...(json !== undefined && { "content-type": "application/json" }),
          ...headers,
        },
        ...(json !== undefined && { body: JSON.stringify(json), method: init.method ?? "POST" }),
      }),
    close: async () => {
      await server.close();
      await database.close();
    },
  };
}
