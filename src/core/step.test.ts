import { describe, expect, it } from "vitest";
import { BUILTIN_PLANS } from "./builtin-plans.js";
import type { ReleaseEventDraft, ReleaseEventType } from "./events.js";
import { DEFAULT_POLICY, type Plan, type Policy, type Stage } from "./plan.js";
import { checkWindow, createRelease, desiredSplit, type Release } from "./release.js";
import type { SliSample } from "./sli.js";
import { splitAt } from "./split.js";
import { step, type Command, type Input } from "./step.js";
import { FIRST_START_WEIGHT } from "./analysis/change-detector.js";

const STABLE = "v1";
const CANDIDATE = "v2";
const T0 = 1_767_225_600_000; // 2026-01-01T00:00:00Z
const SECOND = 1000;
const MINUTE = 60 * SECOND;

// ---- building plans and samples ----------------------------------------------------------

function stage(percent: number, soakMinutes = 0, progression: Stage["progression"] = "auto"): Stage {
  return { percent, soakSeconds: soakMinutes * 60, progression };
}

/** 10% for 5 minutes, 50% for 5 minutes, then 100%; checks every minute; rollback after 3 failures. */
function plan(stages: Stage[] = [stage(10, 5), stage(50, 5), stage(100)], policy: Partial<Policy> = {}): Plan {
  return {
    name: "test",
    stages,
    slos: [
      { sli: "error_rate", max: 0.01 },
      { sli: "error_rate", maxRatioToStable: 2 },
      { sli: "latency_p99", max: 2000 },
      { sli: "latency_p99", maxRatioToStable: 1.5 },
    ],
    policy: { ...DEFAULT_POLICY, checkIntervalSeconds: 60, ...policy },
  };
}

interface VersionSample {
  requests?: number;
  errorRate?: number;
  p99?: number;
}

function sample({ requests = 1000, errorRate = 0.002, p99 = 120 }: VersionSample = {}): SliSample {
  return { requests, errors: Math.round(requests * errorRate), latencyMs: { p50: 20, p90: 60, p99 } };
}

/** What the metrics source says for one check; stable is left out when it has no traffic. */
function samples(stable: VersionSample | null, candidate: VersionSample): Map<string, SliSample> {
  const map = new Map<string, SliSample>([[CANDIDATE, sample(candidate)]]);
  if (stable) map.set(STABLE, sample(stable));
  return map;
}

const HEALTHY = () => samples({}, {});
/** The candidate throws errors at 15%, the stable version at 0.2%. */
const BROKEN = () => samples({}, { errorRate: 0.15 });
/** Too few requests on the candidate for a verdict, and terrible numbers that must not count. */
const THIN = () => samples({}, { requests: 20, errorRate: 0.5 });

type Measurement = Map<string, SliSample> | "unavailable";

// ---- driving a release through time -------------------------------------------------------

/** Drives one release through virtual time; every accepted step is kept and checked for purity. */
class Drive {
  release: Release;
  now: number;
  readonly events: ReleaseEventDraft[] = [];

  constructor(p: Plan = plan(), start = true) {
    this.now = T0;
    this.release = createRelease(
      { id: "r1", name: "checkout", target: { platform: "local", config: {} }, stable: STABLE, candidate: CANDIDATE, plan: p },
      T0,
    );
    if (start) this.send({ type: "preflight_skipped" });
  }

  get interval() {
    return this.release.plan.policy.checkIntervalSeconds * SECOND;
  }

  /** Sends an input that must be accepted; returns the events it produced. */
  send(input: Input): ReleaseEventDraft[] {
    const before = structuredClone(this.release);
    const result = step(this.release, input, this.now);
    expect(this.release, "step must not mutate its input").toEqual(before);
    if (!result.ok) throw new Error(`step refused ${input.type}: ${result.error}`);
    this.release = result.release;
    this.events.push(...result.events);
    return result.events;
  }

  /** A person's command; returns the refusal, or undefined when it was accepted. */
  command(command: Command, actor = "ada"): string | undefined {
    const before = this.release;
    const result = step(this.release, { ...command, actor }, this.now);
    if (!result.ok) {
      expect(this.release).toBe(before);
      return result.error;
    }
    this.release = result.release;
    this.events.push(...result.events);
    return undefined;
  }

  wait(ms: number) {
    this.now += ms;
    return this;
  }

  /** Waits one check interval (or `after`), then the engine measures the window and steps. */
  check(measurement: Measurement, after = this.interval): ReleaseEventDraft[] {
    this.wait(after);
    const window = checkWindow(this.release, this.now);
    return this.send(
      measurement === "unavailable"
        ? { type: "measured", window, samples: null, error: "prometheus: connection refused" }
        : { type: "measured", window, samples: measurement },
    );
  }

  checks(count: number, measurement: () => Measurement) {
    for (let i = 0; i < count; i++) this.check(measurement());
    return this;
  }

  get state() {
    return this.release.state;
  }

  get stageIndex() {
    return this.release.stageIndex;
  }

  /** The candidate's share of the split the release asks for. */
  get candidatePercent() {
    const split = desiredSplit(this.release);
    return split.find((entry) => entry.version === CANDIDATE)?.percent ?? 0;
  }

  eventTypes(): ReleaseEventType[] {
    return this.events.map((event) => event.type);
  }
}

// ---- scenarios ----------------------------------------------------------------------------

describe("starting", () => {
  it("serves 100% stable before the start and the first stage after it", () => {
    const drive = new Drive(plan(), false);
    expect(drive.state).toBe("pending");
    expect(desiredSplit(drive.release)).toEqual([{ version: STABLE, percent: 100 }]);

    drive.send({ type: "preflight_skipped" });
    expect(drive.state).toBe("running");
    expect(drive.stageIndex).toBe(0);
    expect(desiredSplit(drive.release)).toEqual(splitAt(STABLE, CANDIDATE, 10));
    expect(drive.eventTypes()).toEqual(["release_started", "stage_started"]);
    expect(drive.release.nextRunAt).toBe(T0 + MINUTE);
  });

  it("waits for a person's start command unless created to start at once", () => {
    const drive = new Drive(plan(), false);
    expect(drive.release.nextRunAt).toBeNull();
    expect(createRelease(drive.release, T0, { autoStart: true }).nextRunAt).toBe(T0);

    drive.now += MINUTE;
    expect(drive.command({ type: "start" })).toBeUndefined();
    expect(drive.release.nextRunAt).toBe(drive.now);
    expect(drive.state).toBe("pending");
    expect(drive.events.at(-1)).toMatchObject({ type: "start_requested", actor: "ada", at: T0 + MINUTE });
    expect(drive.command({ type: "start" })).toBe("the release is already starting");

    drive.send({ type: "preflight_skipped" });
    expect(drive.command({ type: "start" })).toBe("cannot start a release that is running");
  });

  it("ignores measurements before the start and a second start", () => {
    const drive = new Drive(plan(), false);
    expect(drive.check(HEALTHY())).toEqual([]);
    expect(drive.state).toBe("pending");
    drive.send({ type: "preflight_skipped" });
    const started = drive.release;
    expect(drive.send({ type: "preflight_skipped" })).toEqual([]);
    expect(drive.release).toBe(started);
  });
});

describe("the happy path", () => {
  it("soaks at every stage and ends with the candidate at 100%", () => {
    const drive = new Drive();
    drive.checks(4, HEALTHY);
    expect(drive.stageIndex).toBe(0);
    expect(drive.release.soakServedSeconds).toBe(240);

    drive.checks(1, HEALTHY);
    expect(drive.stageIndex).toBe(1);
    expect(drive.candidatePercent).toBe(50);
    expect(drive.release.soakServedSeconds).toBe(0);

    drive.checks(4, HEALTHY);
    expect(drive.state).toBe("running");
    drive.checks(1, HEALTHY);

    expect(drive.state).toBe("succeeded");
    expect(desiredSplit(drive.release)).toEqual([{ version: CANDIDATE, percent: 100 }]);
    expect(drive.release.finishedAt).toBe(T0 + 10 * MINUTE);
    // Due until the engine confirms the final split.
    expect(drive.release.nextRunAt).toBe(T0 + 10 * MINUTE);
    expect(drive.eventTypes().filter((type) => type === "stage_started")).toHaveLength(3);
    expect(drive.eventTypes().at(-1)).toBe("promoted");
  });

  it("runs the built-in standard plan: 15 minutes at 5%, 25% and 50%, then 100%", () => {
    const drive = new Drive(BUILTIN_PLANS.standard!);
    const seen: number[] = [];
    for (let i = 0; i < 400 && drive.state === "running"; i++) {
      seen.push(drive.candidatePercent);
      drive.check(HEALTHY());
    }
    expect(drive.state).toBe("succeeded");
    expect(drive.now - T0).toBe(45 * MINUTE);
    expect([...new Set(seen)]).toEqual([5, 25, 50]);
    expect(drive.candidatePercent).toBe(100);
  });

  it("keeps soaking at a final 100% stage that has a soak, where relative SLOs do not apply", () => {
    const drive = new Drive(plan([stage(50, 1), stage(100, 3)]));
    drive.check(HEALTHY());
    expect(drive.candidatePercent).toBe(100);
    // Stable has no traffic now: the metrics source reports only the candidate.
    drive.checks(2, () => samples(null, {}));
    expect(drive.state).toBe("running");
    drive.check(samples(null, {}));
    expect(drive.state).toBe("succeeded");
  });

  it("records each check with its numbers", () => {
    const drive = new Drive();
    const [event] = drive.check(HEALTHY());
    expect(event).toMatchObject({ type: "check_completed", at: T0 + MINUTE, actor: "glidepath" });
    if (event?.type !== "check_completed") throw new Error("expected a check");
    expect(event.check).toMatchObject({ verdict: "pass", stageIndex: 0, window: { from: T0, to: T0 + MINUTE } });
    expect(drive.release.lastCheckAt).toBe(T0 + MINUTE);
    expect(drive.release.nextRunAt).toBe(T0 + 2 * MINUTE);
  });
});

describe("failing checks", () => {
  it("roll back after exactly failureThreshold consecutive failures", () => {
    const drive = new Drive();
    drive.checks(2, BROKEN);
    expect(drive.state).toBe("running");
    expect(drive.release.consecutiveFailures).toBe(2);
    expect(drive.candidatePercent).toBe(10);

    drive.checks(1, BROKEN);
    expect(drive.state).toBe("rolled_back");
    expect(desiredSplit(drive.release)).toEqual([{ version: STABLE, percent: 100 }]);
    expect(drive.release.nextRunAt).toBe(drive.now);
    expect(drive.release.finishedAt).toBe(drive.now);
  });

  it("name the failing SLO and the measured values of both versions in the reason", () => {
    const drive = new Drive().checks(3, BROKEN);
    expect(drive.release.reason).toContain("error_rate <= 0.01");
    expect(drive.release.reason).toContain(`${CANDIDATE} 0.15`);
    expect(drive.release.reason).toContain(`${STABLE} 0.002`);
    expect(drive.release.reason).toContain("error_rate <= 2 x stable");
    expect(drive.release.reason).not.toContain("latency_p99");
    const rolledBack = drive.events.at(-1);
    expect(rolledBack).toMatchObject({ type: "rolled_back", reason: drive.release.reason });
    expect(rolledBack?.type === "rolled_back" && rolledBack.check?.verdict).toBe("fail");
  });

  it("start counting again after a passing check in between", () => {
    const drive = new Drive();
    drive.checks(2, BROKEN).checks(1, HEALTHY);
    expect(drive.release.consecutiveFailures).toBe(0);
    drive.checks(2, BROKEN);
    expect(drive.state).toBe("running");
    drive.checks(1, BROKEN);
    expect(drive.state).toBe("rolled_back");
  });

  it("roll back on the first failure when the threshold is 1", () => {
    const drive = new Drive(plan(undefined, { failureThreshold: 1 })).checks(1, BROKEN);
    expect(drive.state).toBe("rolled_back");
  });

  it("catch a latency regression relative to stable", () => {
    const drive = new Drive().checks(3, () => samples({ p99: 100 }, { p99: 400 }));
    expect(drive.state).toBe("rolled_back");
    expect(drive.release.reason).toContain("latency_p99 <= 1.5 x stable: v2 400 (v1 100)");
  });

  it("at a later stage still roll back to 100% stable", () => {
    const drive = new Drive().checks(5, HEALTHY);
    expect(drive.candidatePercent).toBe(50);
    drive.checks(3, BROKEN);
    expect(drive.state).toBe("rolled_back");
    expect(drive.candidatePercent).toBe(0);
  });
});

describe("a sequential SLO", () => {
  const sequentialPlan = (): Plan => ({
    ...plan([stage(10, 5), stage(20, 5), stage(100)]),
    slos: [{ sli: "error_rate", test: "sequential", alpha: 0.01, minEffect: 0.1 }],
  });
  /** Counts of one stage so far: the candidate serves `share` of 10,000 requests. */
  const counts = (share: number, candidateErrors: number, stableErrors: number) =>
    new Map<string, SliSample>([
      [CANDIDATE, { requests: 10_000 * share, errors: candidateErrors, latencyMs: {} }],
      [STABLE, { requests: 10_000 * (1 - share), errors: stableErrors, latencyMs: {} }],
    ]);

  it("rolls back at its first rejection, without waiting for failureThreshold checks", () => {
    const drive = new Drive(sequentialPlan());
    drive.check(counts(0.1, 60, 90));
    expect(drive.state).toBe("rolled_back");
    expect(drive.release.reason).toMatch(/^a sequential test found v2 worse than v1: error_rate not worse than stable \+ 10% \(sequential test, alpha 0.01\): v2 0.06 \(v1 0.01\), evidence [\d.e+]+ >= 100$/);
  });

  it("passes and promotes a candidate that errs like stable", () => {
    const drive = new Drive(sequentialPlan());
    drive.checks(5, () => counts(0.1, 10, 90)).checks(5, () => counts(0.2, 20, 80));
    expect(drive.state).toBe("succeeded");
  });

  it("carries each stage's evidence into the next, so weak signs in every stage add up", () => {
    const weak = { stage1: counts(0.1, 20, 90), stage2: counts(0.2, 40, 80) };
    const drive = new Drive(sequentialPlan());
    drive.checks(5, () => weak.stage1);
    expect(drive.stageIndex).toBe(1);
    const [carried] = drive.release.evidence;
    expect(carried!.counted).toBeNull();
    expect(Math.max(...carried!.detector!)).toBeGreaterThan(Math.log(FIRST_START_WEIGHT));

    drive.check(weak.stage2);
    expect(drive.state).toBe("rolled_back");
    // Either stage alone is not enough.
    for (const [share, sample] of [[0.1, weak.stage1], [0.2, weak.stage2]] as const) {
      const alone = new Drive(sequentialPlan());
      if (share === 0.2) alone.checks(5, () => counts(0.1, 10, 90));
      alone.check(sample);
      expect(alone.state).toBe("running");
    }
  });
});

describe("insufficient data", () => {
  it("holds the stage past its soak until a check has enough requests", () => {
    const drive = new Drive().checks(12, THIN);
    expect(drive.state).toBe("running");
    expect(drive.stageIndex).toBe(0);
    expect(drive.candidatePercent).toBe(10);
    expect(drive.release.soakServedSeconds).toBeGreaterThanOrEqual(300);
    expect(drive.release.lastVerdict).toBe("insufficient_data");

    drive.checks(1, HEALTHY);
    expect(drive.stageIndex).toBe(1);
  });

  it("never fails a stage either, however bad the thin numbers look", () => {
    const drive = new Drive().checks(20, THIN);
    expect(drive.state).toBe("running");
    expect(drive.release.consecutiveFailures).toBe(0);
  });

  it("counts a thin stable version too", () => {
    const drive = new Drive().checks(10, () => samples({ requests: 5 }, {}));
    expect(drive.stageIndex).toBe(0);
  });

  it("holds a zero-soak stage until data arrives", () => {
    const drive = new Drive(plan([stage(10), stage(100)])).checks(5, THIN);
    expect(drive.state).toBe("running");
    drive.checks(1, HEALTHY);
    expect(drive.state).toBe("succeeded");
  });
});

describe("a driver that took the release over", () => {
  const resumedCheck = (drive: Drive, measurement: ReturnType<typeof HEALTHY>) => {
    drive.wait(drive.interval);
    drive.send({ type: "measured", window: checkWindow(drive.release, drive.now), samples: measurement, resumed: true });
  };

  it("credits no soak for the time since the check before it, and none until one of its checks passes", () => {
    const drive = new Drive().checks(3, HEALTHY);
    expect(drive.release.soakServedSeconds).toBe(180);

    resumedCheck(drive, THIN());
    expect(drive.release).toMatchObject({ soakServedSeconds: 180, soakAwaitsPass: true });
    drive.check(THIN());
    expect(drive.release.soakServedSeconds).toBe(180);
    drive.check(HEALTHY());
    expect(drive.release).toMatchObject({ soakServedSeconds: 180, soakAwaitsPass: false });
    drive.check(HEALTHY());
    expect(drive.release.soakServedSeconds).toBe(240);
  });

  it("keeps the soak served before it: a stage still needs its whole soak watched", () => {
    const drive = new Drive().checks(4, HEALTHY);
    resumedCheck(drive, HEALTHY());
    expect(drive.stageIndex).toBe(0);
    drive.checks(1, HEALTHY);
    expect(drive.stageIndex).toBe(1);
  });
});

describe("metrics unavailable", () => {
  it("with hold, stops the soak clock and keeps the split", () => {
    const drive = new Drive().checks(2, HEALTHY);
    const events = drive.check("unavailable");
    expect(events).toEqual([
      expect.objectContaining({ type: "metrics_unavailable", error: "prometheus: connection refused", action: "hold" }),
    ]);
    drive.checks(9, () => "unavailable");
    expect(drive.state).toBe("running");
    expect(drive.candidatePercent).toBe(10);
    expect(drive.release.soakServedSeconds).toBe(120);
    expect(drive.release.nextRunAt).toBe(drive.now + MINUTE);

    // Ten minutes later metrics are back: only the watched minutes count.
    drive.checks(2, HEALTHY);
    expect(drive.stageIndex).toBe(0);
    drive.checks(1, HEALTHY);
    expect(drive.stageIndex).toBe(1);
  });

  it("with hold, never rolls back however long it lasts", () => {
    const drive = new Drive().checks(100, () => "unavailable");
    expect(drive.state).toBe("running");
    expect(drive.stageIndex).toBe(0);
  });

  it("with rollback, rolls back to 100% stable and says why", () => {
    const drive = new Drive(plan(undefined, { onMetricsUnavailable: "rollback" })).checks(1, HEALTHY);
    drive.check("unavailable");
    expect(drive.state).toBe("rolled_back");
    expect(drive.candidatePercent).toBe(0);
    expect(drive.release.reason).toContain("metrics unavailable");
    expect(drive.release.reason).toContain("prometheus: connection refused");
    expect(drive.eventTypes().slice(-2)).toEqual(["metrics_unavailable", "rolled_back"]);
  });
});

describe("a manual stage", () => {
  const manualPlan = () => plan([stage(10, 2), stage(50, 2, "manual"), stage(100)]);

  /** Runs to the manual 50% stage and past its soak. */
  function awaiting(): Drive {
    const drive = new Drive(manualPlan()).checks(2, HEALTHY);
    expect(drive.candidatePercent).toBe(50);
    drive.checks(2, HEALTHY);
    expect(drive.state).toBe("awaiting_approval");
    return drive;
  }

  it("waits for approval after its soak passes, keeping the split and the checks", () => {
    const drive = awaiting();
    expect(drive.candidatePercent).toBe(50);
    expect(drive.eventTypes().at(-1)).toBe("awaiting_approval");
    expect(drive.release.nextRunAt).not.toBeNull();
    drive.checks(30, HEALTHY);
    expect(drive.state).toBe("awaiting_approval");
    expect(drive.stageIndex).toBe(1);
  });

  it("moves on when approved", () => {
    const drive = awaiting();
    expect(drive.command({ type: "approve" })).toBeUndefined();
    expect(drive.state).toBe("succeeded");
    expect(drive.candidatePercent).toBe(100);
    expect(drive.events).toContainEqual(expect.objectContaining({ type: "approved", stageIndex: 1, actor: "ada" }));
  });

  it("ends cancelled at 100% stable when denied", () => {
    const drive = awaiting();
    expect(drive.command({ type: "deny" })).toBeUndefined();
    expect(drive.state).toBe("cancelled");
    expect(drive.candidatePercent).toBe(0);
    expect(drive.release.reason).toContain("ada");
    expect(drive.events.at(-1)).toMatchObject({ type: "cancelled", actor: "ada" });
  });

  it("keeps the reason a person gives for a denial", () => {
    const drive = awaiting();
    drive.command({ type: "deny", reason: "checkout copy is wrong" });
    expect(drive.release.reason).toBe("checkout copy is wrong");
  });

  it("refuses approval while the latest check failed or had too little data", () => {
    const drive = awaiting();
    drive.check(BROKEN());
    expect(drive.command({ type: "approve" })).toMatch(/latest check/);
    expect(drive.state).toBe("awaiting_approval");

    drive.check(THIN());
    expect(drive.command({ type: "approve" })).toMatch(/latest check/);

    drive.check(HEALTHY());
    expect(drive.command({ type: "approve" })).toBeUndefined();
    expect(drive.state).toBe("succeeded");
  });

  it("still rolls back on a regression while waiting", () => {
    const drive = awaiting().checks(3, BROKEN);
    expect(drive.state).toBe("rolled_back");
    expect(drive.candidatePercent).toBe(0);
  });

  it("does not wait before its soak has passed", () => {
    const drive = new Drive(manualPlan()).checks(3, HEALTHY);
    expect(drive.state).toBe("running");
    expect(drive.stageIndex).toBe(1);
  });

  it("as the final 100% stage, waits for approval instead of promoting by itself", () => {
    const drive = new Drive(plan([stage(50), stage(100, 0, "manual")])).checks(1, HEALTHY);
    expect(drive.stageIndex).toBe(1);
    expect(drive.state).toBe("running");
    drive.check(samples(null, {}));
    expect(drive.state).toBe("awaiting_approval");
    expect(drive.command({ type: "approve" })).toBeUndefined();
    expect(drive.state).toBe("succeeded");
  });
});

describe("pause and resume", () => {
  it("stop the soak clock while paused and keep the split", () => {
    const drive = new Drive().checks(2, HEALTHY);
    expect(drive.command({ type: "pause", reason: "lunch" })).toBeUndefined();
    expect(drive.state).toBe("paused");
    expect(drive.release.reason).toBe("lunch");
    expect(drive.release.nextRunAt).toBeNull();
    expect(drive.candidatePercent).toBe(10);

    // The engine has nothing to do while paused; stray measurements change nothing.
    const paused = drive.release;
    expect(drive.check(HEALTHY(), 30 * MINUTE)).toEqual([]);
    expect(drive.release).toBe(paused);

    drive.wait(30 * MINUTE);
    expect(drive.command({ type: "resume" })).toBeUndefined();
    expect(drive.state).toBe("running");
    expect(drive.release.reason).toBeNull();
    expect(drive.release.soakServedSeconds).toBe(120);

    drive.checks(2, HEALTHY);
    expect(drive.stageIndex).toBe(0);
    drive.checks(1, HEALTHY);
    expect(drive.stageIndex).toBe(1);
  });

  it("resume to awaiting approval when paused there", () => {
    const drive = new Drive(plan([stage(10, 1, "manual"), stage(100)])).checks(1, HEALTHY);
    expect(drive.state).toBe("awaiting_approval");
    drive.command({ type: "pause" });
    expect(drive.candidatePercent).toBe(10);
    drive.command({ type: "resume" });
    expect(drive.state).toBe("awaiting_approval");
  });
});

describe("drift", () => {
  it("pauses the release and records what changed", () => {
    const drive = new Drive().checks(1, HEALTHY);
    const actual = splitAt(STABLE, CANDIDATE, 40);
    drive.send({ type: "drift", expected: desiredSplit(drive.release), actual });
    expect(drive.state).toBe("paused");
    expect(drive.release.reason).toMatch(/changed/);
    expect(drive.eventTypes().slice(-2)).toEqual(["drift_detected", "paused"]);
    // The release still asks for its own split, so resuming re-applies it.
    expect(drive.candidatePercent).toBe(10);
    drive.command({ type: "resume" });
    expect(drive.state).toBe("running");
  });
});

describe("commands", () => {
  it("promote now sends the candidate to 100% at once", () => {
    const drive = new Drive().checks(1, BROKEN);
    expect(drive.command({ type: "promote_now" })).toBeUndefined();
    expect(drive.state).toBe("succeeded");
    expect(drive.candidatePercent).toBe(100);
  });

  it("rollback now ends rolled back at 100% stable", () => {
    const drive = new Drive().checks(1, HEALTHY);
    expect(drive.command({ type: "rollback_now", reason: "support tickets" })).toBeUndefined();
    expect(drive.state).toBe("rolled_back");
    expect(drive.release.reason).toBe("support tickets");
    expect(drive.candidatePercent).toBe(0);
  });

  it("cancel works before the start and while running", () => {
    const pending = new Drive(plan(), false);
    expect(pending.command({ type: "cancel" })).toBeUndefined();
    expect(pending.state).toBe("cancelled");

    const running = new Drive().checks(1, HEALTHY);
    expect(running.command({ type: "cancel" })).toBeUndefined();
    expect(running.state).toBe("cancelled");
    expect(running.candidatePercent).toBe(0);
  });

  it.each<[string, (drive: Drive) => void, Command, RegExp]>([
    ["approve while running", () => {}, { type: "approve" }, /cannot approve a release that is running/],
    ["deny while running", () => {}, { type: "deny" }, /cannot deny a release that is running/],
    ["resume while running", () => {}, { type: "resume" }, /cannot resume a release that is running/],
    ["pause while paused", (d) => d.command({ type: "pause" }), { type: "pause" }, /cannot pause a release that is paused/],
    ["approve while paused", (d) => d.command({ type: "pause" }), { type: "approve" }, /cannot approve/],
    ["roll back before the start", (d) => d.command({ type: "cancel" }), { type: "rollback_now" }, /cannot roll ?back/],
  ])("refuses to %s, with a message", (_, setUp, command, message) => {
    const drive = new Drive();
    setUp(drive);
    const before = drive.release;
    expect(drive.command(command)).toMatch(message);
    expect(drive.release).toBe(before);
  });

  it("refuses rollback and promotion of a release that has not started", () => {
    const drive = new Drive(plan(), false);
    expect(drive.command({ type: "rollback_now" })).toMatch(/pending/);
    expect(drive.command({ type: "promote_now" })).toMatch(/pending/);
    expect(drive.state).toBe("pending");
  });
});

describe("terminal states never change", () => {
  const endings: [string, (drive: Drive) => void][] = [
    ["succeeded", (d) => d.command({ type: "promote_now" })],
    ["rolled_back", (d) => d.checks(3, BROKEN)],
    ["cancelled", (d) => d.command({ type: "cancel" })],
    ["failed", (d) => d.send({ type: "platform_failed", reason: "worker deleted" })],
  ];

  it.each(endings)("%s", (state, end) => {
    const drive = new Drive();
    end(drive);
    expect(drive.state).toBe(state);
    const final = drive.release;
    const later = T0 + 24 * 60 * MINUTE;
    for (const input of [
      { type: "preflight_skipped" },
      { type: "measured", window: { from: T0, to: later }, samples: HEALTHY() },
      { type: "measured", window: { from: T0, to: later }, samples: null },
      { type: "drift", expected: desiredSplit(final), actual: splitAt(STABLE, CANDIDATE, 30) },
      { type: "platform_failed", reason: "boom" },
    ] satisfies Input[]) {
      const result = step(final, input, later);
      expect(result).toEqual({ ok: true, release: final, events: [] });
    }
    for (const type of ["approve", "deny", "pause", "resume", "promote_now", "cancel", "rollback_now"] as const) {
      const result = step(final, { type, actor: "ada" }, later);
      expect(result.ok).toBe(false);
      expect(!result.ok && result.error).toContain(state.replace("_", " "));
    }
  });
});

describe("platform failure", () => {
  it("ends the release as failed at 100% stable", () => {
    const drive = new Drive().checks(1, HEALTHY);
    drive.send({ type: "platform_failed", reason: "the Worker was deleted" });
    expect(drive.state).toBe("failed");
    expect(drive.release.reason).toBe("the Worker was deleted");
    expect(desiredSplit(drive.release)).toEqual([{ version: STABLE, percent: 100 }]);
  });
});

describe("engine restarts", () => {
  it("keep the soak served, which survives a round trip through storage", () => {
    const drive = new Drive().checks(3, HEALTHY);
    drive.release = JSON.parse(JSON.stringify(drive.release)) as Release;
    expect(drive.release.soakServedSeconds).toBe(180);
    drive.checks(1, HEALTHY);
    expect(drive.stageIndex).toBe(0);
    drive.checks(1, HEALTHY);
    expect(drive.stageIndex).toBe(1);
  });

  it("do not credit the time the engine was away as soak", () => {
    const drive = new Drive().checks(2, HEALTHY);
    // The engine was down for an hour; the first check after it sees a long gap.
    drive.check(HEALTHY(), 60 * MINUTE);
    expect(drive.stageIndex).toBe(0);
    expect(drive.release.soakServedSeconds).toBe(120);
    // The soak still had three minutes left.
    drive.checks(2, HEALTHY);
    expect(drive.stageIndex).toBe(0);
    drive.checks(1, HEALTHY);
    expect(drive.stageIndex).toBe(1);
  });

  it("credit a late check that is within two intervals", () => {
    const drive = new Drive().checks(2, HEALTHY);
    drive.check(HEALTHY(), 2 * MINUTE);
    expect(drive.release.soakServedSeconds).toBe(240);
    drive.check(HEALTHY(), 2 * MINUTE + 1);
    expect(drive.release.soakServedSeconds).toBe(240);
  });
});

describe("preflight", () => {
  const probe = (status: number | null) => ({
    url: "https://checkout.example/health",
    expectStatus: 200,
    status,
    error: status === null ? "ECONNREFUSED" : null,
    durationMs: 12,
  });
  const pending = () => createRelease({ id: "r", name: "r", target: { platform: "local", config: {} }, stable: "v1", candidate: "v2", plan: BUILTIN_PLANS.fast! }, 0);

  it("starts the first stage when every probe answers as expected", () => {
    const result = step(pending(), { type: "preflight_done", results: [probe(200), probe(200)] }, 1000);
    expect(result.ok && result.release).toMatchObject({ state: "running", stageIndex: 0 });
    expect(result.ok && result.events.map((event) => event.type)).toEqual(["preflight_completed", "release_started", "stage_started"]);
  });

  it("rolls back before any traffic moves when one probe fails, naming it", () => {
    const result = step(pending(), { type: "preflight_done", results: [probe(200), probe(503), probe(null)] }, 1000);
    if (!result.ok) throw new Error(result.error);
    expect(result.release).toMatchObject({ state: "rolled_back", stageIndex: -1 });
    expect(desiredSplit(result.release)).toEqual([{ version: "v1", percent: 100 }]);
    expect(result.release.reason).toBe(
      "preflight failed before any traffic moved: https://checkout.example/health answered 503, expected 200; " +
        "https://checkout.example/health did not answer (ECONNREFUSED), expected 200",
    );
  });
});

describe("adopting a split already live", () => {
  const adopting = (live: Release["appliedSplit"]) => ({
    ...createRelease({ id: "r", name: "r", target: { platform: "local", config: {} }, stable: "v1", candidate: "v2", plan: BUILTIN_PLANS.standard! }, 0),
    appliedSplit: live,
  });

  it("starts at the last stage at or below the candidate's live share, never above it", () => {
    const result = step(adopting(splitAt("v1", "v2", 40)), { type: "preflight_skipped" }, 1000);
    if (!result.ok) throw new Error(result.error);
    expect(result.release).toMatchObject({ state: "running", stageIndex: 1 });
    expect(desiredSplit(result.release)).toEqual(splitAt("v1", "v2", 25));
    expect(result.events[0]).toMatchObject({ type: "release_started", adoptedSplit: splitAt("v1", "v2", 40) });
  });

  it("starts at the first stage when the candidate's share is below every stage", () => {
    const result = step(adopting(splitAt("v1", "v2", 1)), { type: "preflight_skipped" }, 1000);
    expect(result.ok && result.release.stageIndex).toBe(0);
  });
});
