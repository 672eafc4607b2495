import type { ReleaseEventDraft } from "../core/events.js";
import { DEFAULT_POLICY, type Plan, type Stage } from "../core/plan.js";
import { checkWindow, createRelease, type Release } from "../core/release.js";
import type { SliSample } from "../core/sli.js";
import { step, type Input } from "../core/step.js";

export const T0 = 1_767_225_600_000; // 2026-01-01T00:00:00Z
const INTERVAL_MS = 60_000;

function stage(percent: number, progression: Stage["progression"] = "auto"): Stage {
  return { percent, soakSeconds: percent === 100 ? 0 : 60, progression };
}

/** 5%, 25%, 50% (approved by a person), 100%; one failing check rolls back. */
export const CHECKOUT_PLAN: Plan = {
  name: "standard",
  stages: [stage(5), stage(25), stage(50, "manual"), stage(100)],
  slos: [
    { sli: "error_rate", max: 0.01 },
    { sli: "latency_p99", maxRatioToStable: 1.5 },
  ],
  policy: { ...DEFAULT_POLICY, checkIntervalSeconds: INTERVAL_MS / 1000, failureThreshold: 1 },
};

export function sample({ requests = 1000, errorRate = 0.001, p99 = 120 } = {}): SliSample {
  return { requests, errors: Math.round(requests * errorRate), latencyMs: { p50: 20, p90: 60, p99 } };
}

export const HEALTHY = () => new Map([["v1", sample()], ["v2", sample()]]);
/** The candidate fails 15% of requests and is twice as slow. */
export const BROKEN = () => new Map([["v1", sample()], ["v2", sample({ errorRate: 0.152, p99: 240 })]]);

/** Drives a real release of checkout v1 -> v2 through Glidepath's state machine, keeping its events. */
export class ReleaseRun {
  release: Release;
  now = T0;
  readonly events: ReleaseEventDraft[] = [];

  constructor(plan: Plan = CHECKOUT_PLAN) {
    this.release = createRelease(
      { id: "rel_1", name: "checkout", target: { platform: "local", config: {} }, stable: "v1", candidate: "v2", plan },
      T0,
    );
  }

  send(input: Input): ReleaseEventDraft[] {
    const result = step(this.release, input, this.now);
    if (!result.ok) throw new Error(`step refused ${input.type}: ${result.error}`);
    this.release = result.release;
    this.events.push(...result.events);
    return result.events;
  }

  check(samples: Map<string, SliSample>): ReleaseEventDraft[] {
    this.now += INTERVAL_MS;
    return this.send({ type: "measured", window: checkWindow(this.release, this.now), samples });
  }

  /** The last event of a type, for a test that needs it. */
  last<T extends ReleaseEventDraft["type"]>(type: T): Extract<ReleaseEventDraft, { type: T }> {
    const event = this.events.findLast((candidate) => candidate.type === type);
    if (!event) throw new Error(`no ${type} event among ${this.events.map((e) => e.type).join(", ")}`);
    return event as Extract<ReleaseEventDraft, { type: T }>;
  }
}

/** Started, healthy at 5%, then broken at 25%: rolled back at stage 2. */
export function rolledBackAtStage2(): ReleaseRun {
  const run = new ReleaseRun();
  run.send({ type: "preflight_skipped" });
  run.check(HEALTHY());
  run.check(BROKEN());
  return run;
}
