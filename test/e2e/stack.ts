import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startCli, type CliProcess } from "../support/cli.js";
import { startServiceUnderLoad } from "../support/service-under-load.js";

export interface Person {
  email: string;
  password: string;
}

/**
 * What a dashboard user has in front of them: a real `glidepath serve` process with its built
 * dashboard, and a service on the local platform (Glidepath's proxy in front of three versions
 * under steady load) registered as the team's target `storefront`.
 */
export interface Stack {
  url: string;
  admin: Person;
  viewer: Person;
  deployer: Person;
  /** Calls the API as the admin, with an API token. */
  api(path: string, init?: { method?: string; body?: unknown }): Promise<Response>;
  close(): Promise<void>;
}

const TOKEN = "gp_e2e_bootstrap_token_0123456789abcdef0123456789";
export const TARGET = "storefront";

/** `build` writes the dashboard into the directory it is given, which the server then serves. */
export async function startStack(build: (dashboardDir: string) => Promise<void>, { rps = 200 }: { rps?: number } = {}): Promise<Stack> {
  const dataDir = await mkdtemp(join(tmpdir(), "glidepath-e2e-"));
  const dashboardDir = join(dataDir, "web");
  await build(dashboardDir);
  const service = await startServiceUnderLoad({ rps, latencyMs: 5 });

  const admin = { email: "ada@example.com", password: "correct-horse-battery-staple" };
  const server: CliProcess = startCli(["serve", "--port", "0", "--data-dir", join(dataDir, "server")], {
    env: { GLIDEPATH_ADMIN_EMAIL: admin.email, GLIDEPATH_ADMIN_PASSWORD: admin.password, GLIDEPATH_BOOTSTRAP_TOKEN: TOKEN, GLIDEPATH_DASHBOARD_DIR: dashboardDir, DATABASE_URL: "" },
  });
  const close = async () => {
    server.child.kill("SIGTERM");
    await server.exited;
    await service.close();
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    const url = (await server.waitForLine((line) => line.startsWith("glidepath serve: "))).split(" ")[2]!;
    const api = (path: string, init: { method?: string; body?: unknown } = {}) =>
      fetch(`${url}${path}`, {
        method: init.method ?? (init.body ? "POST" : "GET"),
        headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
      });
    const must = async (path: string, body: unknown) => {
      const response = await api(path, { body });
      if (!response.ok) throw new Error(`seeding ${path} failed: ${response.status} ${await response.text()}`);
    };
    const team = "/api/v1/teams/default";
    await must(`${team}/connections`, { name: "local-proxy", platform: "local", adminUrl: service.adminUrl });
    await must(`${team}/targets`, { name: TARGET, connection: "local-proxy" });
    const viewer = { email: "vera@example.com", password: "viewer-password-123" };
    const deployer = { email: "dev@example.com", password: "deployer-password-123" };
    await must(`${team}/members`, { ...viewer, role: "viewer", name: "Vera Viewer" });
    await must(`${team}/members`, { ...deployer, role: "deployer", name: "Dee Deployer" });
    return { url, admin, viewer, deployer, api, close };
  } catch (error) {
    await close();
    throw error;
  }
}
