import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";

/**
 * A PostgreSQL server of the test's own, in a temporary directory on a free loopback port, that
 * the test may stop and start again (the shared server at 127.0.0.1:5432 must never go down
 * under other tests). Debian's binaries (the postgresql package); as root, the server runs as the
 * `postgres` user, since PostgreSQL refuses to run as root.
 */
export interface PostgresServer {
  url: string;
  port: number;
  /** Stops it at once, as a crash or an operator's restart would (fast shutdown: connections are cut). */
  stop(): Promise<void>;
  /** Starts it again on the same port and data, once it accepts connections. */
  start(): Promise<void>;
  /** Stops it for good and removes its data. */
  remove(): Promise<void>;
}

/** Debian's newest installed PostgreSQL: /usr/lib/postgresql/<major>/bin. */
const BIN = (() => {
  const majors = readdirSync("/usr/lib/postgresql", { withFileTypes: true }).filter((entry) => existsSync(join("/usr/lib/postgresql", entry.name, "bin", "postgres")));
  const newest = majors.map((entry) => entry.name).sort((a, b) => Number(b) - Number(a))[0];
  if (!newest) throw new Error("no PostgreSQL under /usr/lib/postgresql: install Debian's postgresql package (.ci/run does)");
  return join("/usr/lib/postgresql", newest, "bin");
})();
const asRoot = process.getuid?.() === 0;

export async function startPostgresServer(): Promise<PostgresServer> {
  const dir = mkdtempSync(join(tmpdir(), "glidepath-pg-"));
  const data = join(dir, "data");
  if (asRoot) {
    chmodSync(dir, 0o755);
    chownSync(dir, ...postgresUser());
  }
  run(`${BIN}/initdb`, ["-D", data, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8"]);
  const port = await freePort();
  const url = `postgresql://postgres@127.0.0.1:${port}/postgres`;
  let server: ChildProcess | undefined;

  const start = async () => {
    server = spawnAsPostgres(`${BIN}/postgres`, ["-D", data, "-p", String(port), "-h", "127.0.0.1", "-k", dir, "-c", "fsync=off", "-c", "max_connections=200"]);
    const exited = new Promise<never>((_, reject) => server!.once("exit", (code) => reject(new Error(`postgres exited with ${code} while starting`))));
    await Promise.race([untilAccepting(url), exited]);
  };
  const stop = async () => {
    const stopping = server;
    server = undefined;
    if (!stopping || stopping.exitCode !== null) return;
    const exited = new Promise((resolve) => stopping.once("exit", resolve));
    stopping.kill("SIGINT");
    await exited;
  };
  await start();
  return {
    url,
    port,
    stop,
    start,
    async remove() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function postgresUser(): [number, number] {
  const uid = Number(execFileSync("id", ["-u", "postgres"]).toString());
  const gid = Number(execFileSync("id", ["-g", "postgres"]).toString());
  return [uid, gid];
}

/** As root, the command runs as `postgres`; setpriv execs it in place, so its PID is the server's. */
function asPostgres(command: string, args: string[]): [string, string[]] {
  return asRoot ? ["setpriv", ["--reuid=postgres", "--regid=postgres", "--init-groups", "--", command, ...args]] : [command, args];
}

function run(command: string, args: string[]): void {
  execFileSync(...asPostgres(command, args), { stdio: "ignore" });
}

function spawnAsPostgres(command: string, args: string[]): ChildProcess {
  return spawn(...asPostgres(command, args), { stdio: "ignore" });
}

/** Asks until the server accepts a connection; a freshly started server takes a moment. */
async function untilAccepting(url: string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
    try {
      await client.connect();
      await client.end();
      return;
    } catch {
      await client.end().catch(() => {});
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  throw new Error(`PostgreSQL at ${url} did not start`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}
