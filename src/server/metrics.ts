import { collectDefaultMetrics, Counter, Gauge, Registry, Summary } from "prom-client";

/** What /metrics exports, in Prometheus' text format. */
export class ServerMetrics {
  readonly registry = new Registry();

  readonly checks = new Counter({
    name: "glidepath_checks_total",
    help: "Checks run, by verdict.",
    labelNames: ["verdict"] as const,
    registers: [this.registry],
  });

  readonly platformCalls = new Counter({
    name: "glidepath_platform_calls_total",
    help: "Calls to platform APIs, by platform and operation.",
    labelNames: ["platform", "operation"] as const,
    registers: [this.registry],
  });

  readonly platformErrors = new Counter({
    name: "glidepath_platform_errors_total",
    help: "Platform API calls that failed, by platform and operation.",
    labelNames: ["platform", "operation"] as const,
    registers: [this.registry],
  });

  readonly deliveries = new Counter({
    name: "glidepath_notification_deliveries_total",
    help: "Notification delivery attempts, by channel type and outcome (delivered, retry, failed).",
    labelNames: ["channel_type", "outcome"] as const,
    registers: [this.registry],
  });

  readonly wakeUpLag = new Summary({
    name: "glidepath_engine_wakeup_lag_seconds",
    help: "How late the engine began work that was due (a check, a stage change, a rollback), over the last 5 minutes.",
    percentiles: [0.5, 0.9, 0.99],
    maxAgeSeconds: 300,
    ageBuckets: 5,
    registers: [this.registry],
  });

  constructor(releasesByState: () => Promise<Record<string, number>>) {
    collectDefaultMetrics({ register: this.registry, prefix: "glidepath_" });
    new Gauge({
      name: "glidepath_releases",
      help: "Releases, by state.",
      labelNames: ["state"] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const [state, count] of Object.entries(await releasesByState())) this.set({ state }, count);
      },
    });
  }
}
