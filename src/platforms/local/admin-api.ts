import { createHash, timingSafeEqual } from "node:crypto";
import { Hono, type MiddlewareHandler } from "hono";
import { z } from "zod";
import { errorAnswer, splitChangeSchema, type StatsAnswer } from "./admin-contract.js";
import { type LiveSplit, SplitRejectedError } from "./live-split.js";
import type { ProxyMetrics } from "./proxy-metrics.js";
import { LATENCY_BUCKET_BOUNDS_MS, type TrafficStats } from "./traffic-stats.js";

export interface AdminApiOptions {
  liveSplit: LiveSplit;
  upstreams: ReadonlyMap<string, string>;
  stats: TrafficStats;
  metrics: ProxyMetrics;
  /** When set, every route but /healthz needs `Authorization: Bearer <token>`. */
  adminToken?: string;
}

const statsQuerySchema = z
  .object({ from: z.coerce.number().int().nonnegative(), to: z.coerce.number().int().nonnegative() })
  .refine(({ from, to }) => from < to, { message: "from must be before to" });

/** The proxy's control plane: read and change the split, list versions, read traffic stats and metrics. */
export function createAdminApi(options: AdminApiOptions): Hono {
  const { liveSplit, stats, metrics } = options;
  const app = new Hono();

  app.onError((error, c) => c.json(errorAnswer("internal_error", error.message), 500));
  app.notFound((c) =>
    c.json(errorAnswer("not_found", `no route ${c.req.method} ${c.req.path}; routes: /split, /versions, /stats, /metrics, /healthz`), 404),
  );

  // Registered before the token check so that health probes need no credentials.
  app.get("/healthz", (c) => c.json({ status: "ok" }));
  if (options.adminToken) app.use("*", requireBearerToken(options.adminToken));

  app.get("/split", (c) => c.json(liveSplit.state));

  app.put("/split", async (c) => {
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      return c.json(errorAnswer("invalid_json", 'the body must be JSON, e.g. {"split":[{"version":"v1","percent":95},{"version":"v2","percent":5}]}'), 400);
    }
    const change = splitChangeSchema.safeParse(body);
    if (!change.success) return c.json(errorAnswer("invalid_request", describeIssues(change.error.issues, body)), 400);
    try {
      return c.json(await liveSplit.change(change.data.split, change.data.note));
    } catch (error) {
      if (error instanceof SplitRejectedError) return c.json(errorAnswer("invalid_split", error.message), 400);
      throw error;
    }
  });

  app.get("/versions", (c) => c.json({ versions: [...options.upstreams].map(([id, url]) => ({ id, url })) }));

  app.get("/stats", (c) => {
    const query = statsQuerySchema.safeParse(c.req.query());
    if (!query.success) {
      const example = `/stats?from=${Date.now() - 60_000}&to=${Date.now()}`;
      return c.json(errorAnswer("invalid_request", `${describeIssues(query.error.issues, c.req.query())}; from and to are epoch milliseconds, e.g. ${example}`), 400);
    }
    const { from, to } = query.data;
    const answer: StatsAnswer = {
      proxyStartedAt: stats.startedAtMs,
      from,
      to,
      latencyBucketBoundsMs: LATENCY_BUCKET_BOUNDS_MS.filter(Number.isFinite),
      versions: Object.fromEntries(stats.window(from, to)),
    };
    return c.json(answer);
  });

  app.get("/metrics", async (c) => c.body(await metrics.registry.metrics(), 200, { "content-type": metrics.registry.contentType }));

  return app;
}

function requireBearerToken(token: string): MiddlewareHandler {
  const expected = digest(token);
  return async (c, next) => {
    const presented = /^Bearer (.+)$/i.exec(c.req.header("authorization") ?? "")?.[1];
    if (presented === undefined || !timingSafeEqual(digest(presented), expected)) {
      c.header("www-authenticate", "Bearer");
      const problem = presented === undefined ? "needs" : "refused the token in";
      return c.json(errorAnswer("unauthorized", `the proxy admin API ${problem} the header Authorization: Bearer <admin token>`), 401);
    }
    await next();
  };
}

/** Equal-length digests, so that comparing them takes the same time whatever the token. */
function digest(text: string): Buffer {
  return createHash("sha256").update(text).digest();
}

/** One line naming each bad field and the value it had, e.g. `split[1].percent: expected number, received string (got "5")`. */
function describeIssues(issues: readonly z.core.$ZodIssue[], input: unknown): string {
  return issues
    .map((issue) => {
      const value = valueAt(input, issue.path);
      const got = value === undefined || typeof value === "object" ? "" : ` (got ${JSON.stringify(value)})`;
      const message = issue.message.replace(/^Invalid input: /, "");
      return issue.path.length === 0 ? `${message}${got}` : `${formatPath(issue.path)}: ${message}${got}`;
    })
    .join("; ");
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.map((key, i) => (typeof key === "number" ? `[${key}]` : `${i === 0 ? "" : "."}${String(key)}`)).join("");
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  return path.reduce<unknown>((value, key) => (value !== null && typeof value === "object" ? (value as Record<PropertyKey, unknown>)[key] : undefined), input);
}
