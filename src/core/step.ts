import { describeFailures, evaluateCheck, type Check } from "./check.js";
import { ENGINE_ACTOR, type ProbeResult, type ReleaseEventDraft, type ReleaseEventBody } from "./events.js";
import type { SliSample } from "./sli.js";
import { evidenceAtStageStart, currentStage, desiredSplit, isTerminal, type Release, type ReleaseState } from "./release.js";
import { percentOf, type Split } from "./split.js";

/** What a person (or a token) asks of a release. */
export type Command =
  | { type: "start" }
  | { type: "approve" }
  | { type: "deny"; reason?: string }
  | { type: "pause"; reason?: string }
  | { type: "resume" }
  | { type: "promote_now"; reason?: string }
  | { type: "cancel"; reason?: string }
  | { type: "rollback_now"; reason?: string };

export type CommandType = Command["type"];

/** Everything that can move a release. */
export type Input =
  /** The plan has no preflight probes: the first stage can start. */
  | { type: "preflight_skipped" }
  /** The plan's preflight probes of the candidate ran, before any traffic moved. */
  | { type: "preflight_done"; results: ProbeResult[] }
  /**
   * The engine measured the check window: samples per version, or null when the metrics source
   * failed. `resumed` when this driver did not make the release's previous check: it restarted or
   * took the release over, so the time since that check went unwatched.
   */
  | { type: "measured"; window: { from: number; to: number }; samples: ReadonlyMap<string, SliSample> | null; error?: string; resumed?: boolean }
  | { type: "drift"; expected: Split; actual: Split }
  /** The platform refused in a way no retry can fix. */
  | { type: "platform_failed"; reason: string }
  | (Command & { actor: string });

export type StepResult = { ok: true; release: Release; events: ReleaseEventDraft[] } | { ok: false; error: string };

/** From where each command is allowed, and what it does. */
const COMMAND_STATES: Record<CommandType, readonly ReleaseState[]> = {
  start: ["pending"],
  approve: ["awaiting_approval"],
  deny: ["awaiting_approval"],
  pause: ["running", "awaiting_approval"],
  resume: ["paused"],
  promote_now: ["running", "awaiting_approval", "paused"],
  cancel: ["pending", "running", "awaiting_approval", "paused"],
  rollback_now: ["running", "awaiting_approval", "paused"],
};

/**
 * The release state machine: a pure function of the release, one input and the time. It returns
 * the next release and the events that record why. The split to serve is derived from the
 * result with desiredSplit(), so the engine only reconciles the platform to it.
 */
export function step(release: Release, input: Input, now: number): StepResult {
  const transition = new Transition(release, now);
  switch (input.type) {
    case "preflight_skipped":
      if (release.state !== "pending") return { ok: true, release, events: [] };
      transition.start();
      break;
    case "preflight_done":
      if (release.state !== "pending") return { ok: true, release, events: [] };
      transition.preflightDone(input.results);
      break;
    case "measured":
      if (release.state !== "running" && release.state !== "awaiting_approval") return { ok: true, release, events: [] };
      transition.measured(input.window, input.samples, input.error, input.resumed ?? false);
      break;
    case "drift":
      if (release.state !== "running" && release.state !== "awaiting_approval") return { ok: true, release, events: [] };
      transition.emit({ type: "drift_detected", expected: input.expected, actual: input.actual });
      transition.pause(
        `the live split ${describe(input.actual)} is not the ${describe(input.expected)} Glidepath set; someone changed it. ` +
          "Put it back or resume to re-apply Glidepath's split",
      );
      break;
    case "platform_failed":
      if (isTerminal(release.state)) return { ok: true, release, events: [] };
      transition.finish("failed", input.reason);
      break;
    default: {
      const allowed = COMMAND_STATES[input.type];
      if (!allowed.includes(release.state)) {
        return { ok: false, error: `cannot ${input.type.replace("_", " ")} a release that is ${release.state.replace("_", " ")}` };
      }
      const refused = transition.command(input);
      if (refused) return { ok: false, error: refused };
    }
  }
  return { ok: true, release: transition.release, events: transition.events };
}

function describe(split: Split): string {
  return split.map(({ version, percent }) => `${version}=${percent}%`).join(" ");
}

/** Accumulates one step's changes and events. */
class Transition {
  readonly events: ReleaseEventDraft[] = [];
  release: Release;

  constructor(
    release: Release,
    private readonly now: number,
  ) {
    this.release = { ...release, updatedAt: now };
  }

  emit(body: ReleaseEventBody, actor = ENGINE_ACTOR) {
    this.events.push({ ...body, at: this.now, actor } as ReleaseEventDraft);
  }

  private get intervalMs() {
    return this.release.plan.policy.checkIntervalSeconds * 1000;
  }

  /**
   * A release that adopted a split already live starts at the last stage at or below the
   * candidate's live share, so taking over never gives the candidate more traffic unchecked.
   */
  start() {
    const { stable, candidate, plan, appliedSplit } = this.release;
    const livePercent = percentOf(appliedSplit ?? [], candidate);
    const firstStage = Math.max(0, plan.stages.findLastIndex((stage) => stage.percent <= livePercent));
    this.emit({ type: "release_started", stable, candidate, plan: plan.name, ...(livePercent > 0 && { adoptedSplit: appliedSplit! }) });
    this.enterStage(firstStage);
  }

  /** The candidate starts taking traffic only if every probe answered as expected. */
  preflightDone(results: ProbeResult[]) {
    const failures = results.filter((result) => result.status !== result.expectStatus);
    this.emit({ type: "preflight_completed", passed: failures.length === 0, results });
    if (failures.length === 0) {
      this.start();
      return;
    }
    const described = failures.map(
      ({ url, expectStatus, status, error }) => `${url} ${status === null ? `did not answer (${error})` : `answered ${status}`}, expected ${expectStatus}`,
    );
    this.finish("rolled_back", `preflight failed before any traffic moved: ${described.join("; ")}`);
  }

  measured(window: { from: number; to: number }, samples: ReadonlyMap<string, SliSample> | null, error: string | undefined, resumed: boolean) {
    const { policy } = this.release.plan;
    if (resumed) this.release = { ...this.release, soakAwaitsPass: true };
    if (samples === null) {
      const message = error ?? "the metrics source did not answer";
      this.emit({ type: "metrics_unavailable", error: message, action: policy.onMetricsUnavailable });
      if (policy.onMetricsUnavailable === "rollback") {
        this.finish("rolled_back", `metrics unavailable and the plan says roll back: ${message}`);
        return;
      }
      this.release = { ...this.release, lastCheckAt: this.now, nextRunAt: this.now + this.intervalMs };
      return;
    }

    const stage = currentStage(this.release)!;
    const { check, evidence } = evaluateCheck(
      {
        plan: this.release.plan,
        stable: this.release.stable,
        candidate: this.release.candidate,
        candidatePercent: stage.percent,
        stageIndex: this.release.stageIndex,
        window,
        at: this.now,
        evidence: this.release.evidence,
      },
      samples,
    );
    this.emit({ type: "check_completed", check });
    this.release = {
      ...this.release,
      evidence,
      soakServedSeconds: this.release.soakServedSeconds + this.creditedSoakSeconds(),
      soakAwaitsPass: this.release.soakAwaitsPass && check.verdict !== "pass",
      lastCheckAt: this.now,
      lastVerdict: check.verdict,
      nextRunAt: this.now + this.intervalMs,
    };

    if (check.verdict === "fail") this.onFailingCheck(check);
    if (check.verdict === "pass") this.onPassingCheck();
  }

  /**
   * Soak time watched since the last check. Nothing counts while a driver that took the release
   * over awaits its first passing check, so a soak resumed after a crash keeps what it had left
   * and never what the engine was away; nor does a gap of more than two intervals (a driver too
   * busy or too slow to watch).
   */
  private creditedSoakSeconds(): number {
    if (this.release.soakAwaitsPass) return 0;
    const gap = this.now - (this.release.lastCheckAt ?? this.now);
    return gap > 0 && gap <= 2 * this.intervalMs ? gap / 1000 : 0;
  }

  /**
   * A sequential test stays valid however often it is looked at, so its first rejection is
   * final: waiting for more failing checks would only serve more bad requests.
   */
  private onFailingCheck(check: Check) {
    const failures = this.release.consecutiveFailures + 1;
    this.release = { ...this.release, consecutiveFailures: failures };
    const { failureThreshold } = this.release.plan.policy;
    const { stable, candidate } = this.release;
    if (check.results.some((result) => result.verdict === "fail" && result.evidence)) {
      this.finish("rolled_back", `a sequential test found ${candidate} worse than ${stable}: ${describeFailures(check, stable, candidate)}`, check);
    } else if (failures >= failureThreshold) {
      const checks = failureThreshold === 1 ? "a check" : `${failureThreshold} checks in a row`;
      const reason = `SLO failed ${checks}: ${describeFailures(check, stable, candidate)}`;
      this.finish("rolled_back", reason, check);
    }
  }

  private onPassingCheck() {
    this.release = { ...this.release, consecutiveFailures: 0 };
    const stage = currentStage(this.release)!;
    if (this.release.state !== "running" || this.release.soakServedSeconds < stage.soakSeconds) return;
    if (stage.progression === "manual") {
      this.release = { ...this.release, state: "awaiting_approval" };
      this.emit({ type: "awaiting_approval", stageIndex: this.release.stageIndex });
      return;
    }
    this.advance();
  }

  command(input: Command & { actor: string }): string | undefined {
    const { actor } = input;
    switch (input.type) {
      case "start":
        if (this.release.nextRunAt !== null) return "the release is already starting";
        this.release = { ...this.release, nextRunAt: this.now };
        this.emit({ type: "start_requested" }, actor);
        return;
      case "approve":
        if (this.release.lastVerdict !== "pass") {
          return "the latest check did not pass; wait for a passing check, or promote now to override";
        }
        this.emit({ type: "approved", stageIndex: this.release.stageIndex }, actor);
        this.advance();
        return;
      case "deny":
        this.finish("cancelled", input.reason ?? `denied by ${actor}`, undefined, actor);
        return;
      case "pause":
        this.pause(input.reason ?? `paused by ${actor}`, actor);
        return;
      case "resume":
        this.release = {
          ...this.release,
          state: this.release.pausedFrom ?? "running",
          pausedFrom: null,
          reason: null,
          lastCheckAt: this.now,
          nextRunAt: this.now + this.intervalMs,
        };
        this.emit({ type: "resumed" }, actor);
        return;
      case "promote_now":
        this.finish("succeeded", input.reason ?? `promoted early by ${actor}`, undefined, actor);
        return;
      case "cancel":
        this.finish("cancelled", input.reason ?? `cancelled by ${actor}`, undefined, actor);
        return;
      case "rollback_now":
        this.finish("rolled_back", input.reason ?? `rolled back by ${actor}`, undefined, actor);
        return;
    }
  }

  pause(reason: string, actor = ENGINE_ACTOR) {
    const state = this.release.state;
    this.release = {
      ...this.release,
      state: "paused",
      pausedFrom: state === "awaiting_approval" ? "awaiting_approval" : "running",
      reason,
      nextRunAt: null,
    };
    this.emit({ type: "paused", reason }, actor);
  }

  private advance() {
    const next = this.release.stageIndex + 1;
    if (next >= this.release.plan.stages.length) {
      this.finish("succeeded", "every stage passed");
      return;
    }
    this.enterStage(next);
  }

  private enterStage(index: number) {
    const stage = this.release.plan.stages[index]!;
    this.release = {
      ...this.release,
      state: "running",
      stageIndex: index,
      stageStartedAt: this.now,
      evidence: evidenceAtStageStart(this.release.evidence),
      soakServedSeconds: 0,
      lastCheckAt: this.now,
      lastVerdict: null,
      consecutiveFailures: 0,
      nextRunAt: this.now + this.intervalMs,
    };
    this.emit({ type: "stage_started", stageIndex: index, percent: stage.percent, split: desiredSplit(this.release) });
    const isLast = index === this.release.plan.stages.length - 1;
    // A final 100% stage with nothing to soak is the promotion itself, unless a person must approve it.
    if (isLast && stage.percent === 100 && stage.soakSeconds === 0 && stage.progression === "auto") {
      this.finish("succeeded", "every stage passed");
    }
  }

  /** The release stays due until the engine has confirmed its final split, so a crash before then cannot strand it. */
  finish(state: "succeeded" | "rolled_back" | "cancelled" | "failed", reason: string, check?: Check, actor = ENGINE_ACTOR) {
    this.release = { ...this.release, state, reason, pausedFrom: null, nextRunAt: this.now, finishedAt: this.now };
    if (state === "succeeded") this.emit({ type: "promoted", reason }, actor);
    else if (state === "rolled_back") this.emit({ type: "rolled_back", reason, ...(check && { check }) }, actor);
    else this.emit({ type: state, reason }, actor);
  }
}
