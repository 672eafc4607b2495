import { createAdaptorServer } from "@hono/node-server";
import type { Server } from "node:http";
import { hostname } from "node:os";
import { randomUUID } from "node:crypto";
import { Engine } from "../engine/engine.js";
import { NOTIFYING_EVENTS } from "../notify/notice.js";
import { Scheduler } from "../engine/scheduler.js";
import { AuditStore } from "../store/audit-store.js";
import type { OpenDatabase } from "../store/database.js";
import { IdentityStore } from "../store/identity-store.js";
import { NotificationStore } from "../store/notification-store.js";
import { ReleaseStore } from "../store/release-store.js";
import { TeamReleases } from "../store/team-releases.js";
import type { Clock } from "../support/clock.js";
import { closeServer, listen, type HostPort } from "../support/listen.js";
import { createApp, type ServerApp } from "./app.js";
import { startHousekeeping } from "./housekeeping.js";
import { LoginLimiter } from "./auth/login-limiter.js";
import { SecretBox } from "./auth/secret-box.js";
import type { Services } from "./context.js";
import { ServerMetrics } from "./metrics.js";
import { Outbox } from "./outbox.js";
import { createPlatformConnector } from "./platform-connections.js";
import { DatabaseOutage } from "./database-outage.js";
import { describeDatabaseError } from "../store/database-errors.js";

export interface ServerOptions {
  database: OpenDatabase;
  clock: Clock;
  secretKey: Buffer;
  address: HostPort;
  /** Where people reach the server, for links; by default its listening address. */
  publicUrl?: string;
  /** A dashboard build to serve instead of the one in dist/web. */
  dashboardDir?: string;
  /** Where the server reports what goes wrong in the background; standard error by default. */
  log?: (line: string) => void;
  /** How long a replica holds a release it drives (see Scheduler). */
  leaseMs?: number;
}

export interface RunningServer {
  url: string;
  app: ServerApp;
  services: Services;
  close(): Promise<void>;
}

/** Starts the API on its address, with every release's engine work behind it. */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const { db } = options.database;
  const secrets = new SecretBox(options.secretKey);
  const releaseStore = new ReleaseStore(db);
  const metrics = new ServerMetrics(() => releaseStore.countByState());
  const platforms = createPlatformConnector(db, secrets, metrics);
  const engine = new Engine({ store: releaseStore, clock: options.clock, connect: platforms });
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const outage = new DatabaseOutage(db, options.clock, log);
  const services: Services = {
    db,
    clock: options.clock,
    identities: new IdentityStore(db),
    audit: new AuditStore(db),
    releases: releaseStore,
    secrets,
    engine,
    platforms,
    loginLimiter: new LoginLimiter(() => options.clock.now()),
    metrics,
    publicUrl: "",
    nudge: () => scheduler.nudge(),
    outage,
    log,
  };
  // A failure the database's outage explains is told once, by the outage; no line ever holds a query's parameters.
  const logUnlessOutage = (describe: (message: string) => string) => (error: unknown) => {
    if (!outage.failed(error)) log(describe(describeDatabaseError(error)));
  };
  const scheduler = new Scheduler({
    engine,
    store: releaseStore,
    clock: options.clock,
    owner: `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
    leaseMs: options.leaseMs,
  });
  scheduler.on("wake", ({ lagMs }) => metrics.wakeUpLag.observe(lagMs / 1000));
  scheduler.on("error", (error, releaseId) => logUnlessOutage((message) => `release ${releaseId ?? "(none)"}: ${message}; it will be tried again`)(error));
  engine.on("retry", (releaseId, message, delayMs) => log(`release ${releaseId}: ${message}; retrying in ${Math.ceil(delayMs / 1000)} s`));
  engine.on("event", (_releaseId, event) => {
    if (event.type === "check_completed") metrics.checks.inc({ verdict: event.check.verdict });
  });
  const app = createApp(services, { dashboardDir: options.dashboardDir });
  const server = createAdaptorServer({ fetch: app.fetch }) as Server;
  const bound = await listen(server, options.address);
  const url = `http://${bound.host.includes(":") ? `[${bound.host}]` : bound.host}:${bound.port}`;
  services.publicUrl = options.publicUrl ?? url;
  // Notifications go out apart from the engine; its events only wake the outbox sooner.
  const outbox = new Outbox({
    store: new NotificationStore(db),
    secrets,
    clock: options.clock,
    metrics: services.metrics,
    publicUrl: services.publicUrl,
    log: (message, error) => logUnlessOutage((cause) => `notifications: ${message}: ${cause}`)(error),
  });
  engine.on("event", (_releaseId, event) => {
    if (NOTIFYING_EVENTS.has(event.type)) outbox.nudge();
  });
  outbox.start();
  scheduler.start();
  const stopHousekeeping = startHousekeeping(
    services.identities,
    new TeamReleases(db),
    options.clock,
    logUnlessOutage((message) => `housekeeping: ${message}`),
  );
  return {
    url,
    app,
    services,
    close: async () => {
      stopHousekeeping();
      outage.stop();
      await closeServer(server);
      await scheduler.stop();
      await outbox.stop();
    },
  };
}
