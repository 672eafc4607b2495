import { randomUUID } from "node:crypto";
import { EventEmitter } from "node:events";
import { ENGINE_ACTOR, type ReleaseEventDraft } from "../core/events.js";
import {
  checkWindow,
  createRelease,
  desiredSplit,
  isSettled,
  isTerminal,
  splitNote,
  type NewRelease,
  type Release,
} from "../core/release.js";
import { formatSplit, splitAt, splitsEqual, type Split } from "../core/split.js";
import { step, type Command, type Input, type StepResult } from "../core/step.js";
import { PlatformError, type PlatformConnection } from "../platforms/types.js";
import { ActiveReleaseExists, LeaseLost, RevisionConflict, type ReleaseOwnership, type ReleaseStore, type StoredRelease } from "../store/release-store.js";
import type { Clock } from "../support/clock.js";
import { runProbes } from "./preflight.js";
import { withRetry } from "./retry.js";

export interface EngineOptions {
  store: ReleaseStore;
  clock: Clock;
  connect(release: Pick<Release, "target">): PlatformConnection;
}

export interface EngineEvents {
  event: [releaseId: string, event: ReleaseEventDraft];
  /** A platform call failed and will be retried; the release is not lost. */
  retry: [releaseId: string, message: string, delayMs: number];
  /** The release has ended and its final split is confirmed on the platform; nothing more happens to it. */
  settled: [releaseId: string, release: Release];
}

/** `autoStart`: the engine starts the release at once instead of waiting for a person's start command. */
export type NewReleaseRequest = Omit<NewRelease, "id" | "stable"> & { stable?: string; autoStart?: boolean };

export interface CreateOptions {
  /** Take over a split between the same two versions that is already live. */
  adopt?: boolean;
  /** Who asked: recorded as the release's first event. */
  actor?: string;
  ownership?: ReleaseOwnership;
}

/**
 * The lease a pass runs under, when replicas share the database (see Scheduler): every write of
 * the pass, to the store or to the platform, first makes sure the lease is still this owner's, so
 * a replica that stalled past its lease never acts on a release another one now drives.
 */
export interface Lease {
  owner: string;
}

/** Thrown for requests the engine refuses: bad versions, a split already in flight, a wrong state. */
export class ReleaseRefused extends Error {
  override name = "ReleaseRefused";
}

const RECONCILE_ATTEMPTS = 6;
/** A release that cannot reach its platform at creation fails fast: a person is waiting. */
const CREATE_ATTEMPTS = 3;
const METRICS_ATTEMPTS = 2;
/** How long to wait before trying again when the platform stayed unreachable through every retry. */
const UNREACHABLE_PAUSE_MS = 30_000;
/** How often a release that has ended asks for the platform's return, to land its final split within about a second of it. */
const FINAL_SPLIT_PROBE_MS = 1000;

/**
 * Drives releases: a level-triggered reconciler. Each wake-up loads the release, makes the
 * platform serve the split its state asks for (or pauses on drift), and runs the check that is
 * due. Wake-up times live in the database, so a restarted engine resumes every release where it
 * was.
 */
export class Engine extends EventEmitter<EngineEvents> {
  private readonly wakers = new Map<string, AbortController>();
  private readonly locks = new Map<string, Promise<unknown>>();
  /**
   * Per release, the lastCheckAt this engine itself last stored: when the release's differs, the
   * previous check was made by another driver (or by this process before it restarted), and the
   * time since was not watched.
   */
  private readonly watchedUntil = new Map<string, number | null>();

  constructor(private readonly options: EngineOptions) {
    super();
  }

  /**
   * Records a new pending release after checking that the platform can run it. The platform must
   * serve 100% stable, unless `adopt` lets the release take over a split between the same two
   * versions that is already live. Without a stable version, the one serving the traffic is it.
   */
  async create({ autoStart = false, ...fields }: NewReleaseRequest, { adopt = false, actor, ownership }: CreateOptions = {}): Promise<Release> {
    const { target } = this.options.connect({ target: fields.target });
    const retry = { clock: this.options.clock, attempts: CREATE_ATTEMPTS };
    const [versions, live] = await Promise.all([
      withRetry(() => target.listVersions(), retry),
      withRetry(() => target.currentSplit(), retry),
    ]);
    const stable = fields.stable ?? liveStable(live, fields.candidate, adopt);

    const known = versions.map((version) => version.id);
    for (const version of [stable, fields.candidate]) {
      if (!known.includes(version)) {
        throw new ReleaseRefused(`unknown version "${version}"; the platform has ${known.join(", ") || "no versions"}`);
      }
    }
    if (stable === fields.candidate) throw new ReleaseRefused("the stable and candidate versions must differ");

    const adoptable = live.every((entry) => entry.version === stable || entry.version === fields.candidate);
    if (!splitsEqual(live, splitAt(stable, fields.candidate, 0)) && !(adopt && adoptable)) {
      const advice = adoptable ? "finish or undo the rollout in flight first, or adopt it" : "finish or undo the rollout in flight first";
      throw new ReleaseRefused(`the live split is ${formatSplit(live)}, not 100% on the stable version ${stable}; ${advice}`);
    }
    const release = createRelease({ ...fields, stable, id: randomUUID() }, this.options.clock.now(), { autoStart });
    const created: ReleaseEventDraft[] = actor
      ? [{ type: "release_created", stable, candidate: release.candidate, plan: release.plan.name, at: release.createdAt, actor }]
      : [];
    const stored = await this.options.store.insert({ ...release, appliedSplit: live }, created, ownership).catch((error: unknown) => {
      throw error instanceof ActiveReleaseExists ? new ReleaseRefused(error.message) : error;
    });
    return stored.release;
  }

  /** Drives the release until it has ended and its final split is on the platform. */
  async run(releaseId: string, signal?: AbortSignal): Promise<Release> {
    for (;;) {
      // Registered before the pass, so a command that lands during it cuts the sleep after it short.
      const waker = new AbortController();
      this.wakers.set(releaseId, waker);
      try {
        let release: Release;
        try {
          release = await this.pass(releaseId, signal);
        } catch (error) {
          const stored = await this.load(releaseId);
          if (signal?.aborted) return stored.release;
          if (!(error instanceof PlatformError) || isTerminal(stored.release.state)) throw error;
          release = await this.recover(releaseId, error);
        }
        if (isSettled(release) || signal?.aborted) return release;
        const wakeUp = signal ? AbortSignal.any([signal, waker.signal]) : waker.signal;
        await this.options.clock.sleepUntil(release.nextRunAt ?? Number.POSITIVE_INFINITY, wakeUp);
      } finally {
        if (this.wakers.get(releaseId) === waker) this.wakers.delete(releaseId);
      }
    }
  }

  /**
   * One wake-up, without sleeping: makes the platform serve the split the release's state asks
   * for, then runs what is due, and again, so that a new stage's split or a final split lands in
   * the same pass. Returns the release once nothing is due now.
   */
  async pass(releaseId: string, signal?: AbortSignal, lease?: Lease): Promise<Release> {
    let { release } = await this.reconcile(await this.load(releaseId), signal, lease);
    for (;;) {
      const due = release.nextRunAt !== null && release.nextRunAt <= this.options.clock.now();
      if (isTerminal(release.state) || !due || signal?.aborted) return release;
      await this.advance(releaseId, await this.nextInput(release, lease), undefined, lease);
      const after = await this.load(releaseId);
      // Most checks change nothing the platform serves: only a new split, or an end, needs reconciling.
      const splitChanged = !splitsEqual(desiredSplit(after.release), desiredSplit(release));
      release = splitChanged || isTerminal(after.release.state) ? (await this.reconcile(after, signal, lease)).release : after.release;
    }
  }

  /**
   * Deals with a pass that threw. A platform refusal that no retry can fix fails a release still
   * in flight; after anything else the release is due again in 30 s, so a rollback keeps trying.
   * Returns the release as it now is.
   */
  async recover(releaseId: string, error: unknown, lease?: Lease): Promise<Release> {
    const { release } = await this.load(releaseId);
    if (error instanceof PlatformError && !error.retryable && !isTerminal(release.state)) {
      await this.advance(releaseId, { type: "platform_failed", reason: error.message }, undefined, lease);
      return (await this.load(releaseId)).release;
    }
    if (error instanceof PlatformError) this.emit("retry", releaseId, error.message, UNREACHABLE_PAUSE_MS);
    const until = this.options.clock.now() + UNREACHABLE_PAUSE_MS;
    const postponed = await this.update(
      releaseId,
      (latest) => (latest.nextRunAt === null ? undefined : { release: { ...latest, nextRunAt: Math.max(latest.nextRunAt, until) }, events: [] }),
      lease,
    );
    return postponed.release;
  }

  /** Applies a person's command, then wakes the release's driver so the split follows at once. */
  async command(releaseId: string, command: Command, actor: string): Promise<StepResult> {
    const acknowledgeLiveSplit = command.type === "resume" ? await this.liveSplitOf(releaseId) : undefined;
    const result = await this.advance(releaseId, { ...command, actor }, (release) =>
      acknowledgeLiveSplit ? { ...release, appliedSplit: acknowledgeLiveSplit } : release,
    );
    this.wakers.get(releaseId)?.abort();
    return result;
  }

  /**
   * Whoever resumes a paused release accepts the split that is live now as the one to move on
   * from, so a change made while paused is replaced by Glidepath's split instead of counted as
   * drift again.
   */
  private async liveSplitOf(releaseId: string): Promise<Split> {
    const { release } = await this.load(releaseId);
    const { target } = this.options.connect(release);
    return withRetry(() => target.currentSplit(), { clock: this.options.clock, attempts: RECONCILE_ATTEMPTS });
  }

  private async nextInput(release: Release, lease: Lease | undefined): Promise<Input> {
    if (release.state === "pending") return this.preflight(release, lease);
    const now = this.options.clock.now();
    const window = checkWindow(release, now);
    const { metrics } = this.options.connect(release);
    try {
      const samples = await withRetry(
        () => metrics.query({ from: new Date(window.from), to: new Date(window.to) }, [release.stable, release.candidate]),
        { clock: this.options.clock, attempts: METRICS_ATTEMPTS },
      );
      return { type: "measured", window, samples, ...this.resumption(release) };
    } catch (error) {
      return { type: "measured", window, samples: null, error: (error as Error).message, ...this.resumption(release) };
    }
  }

  private resumption(release: Release): { resumed?: true } {
    return this.watchedUntil.get(release.id) === release.lastCheckAt ? {} : { resumed: true };
  }

  /** Probes the candidate, reachable by override but without traffic, before the first stage. */
  private async preflight(release: Release, lease: Lease | undefined): Promise<Input> {
    const probes = release.plan.preflight ?? [];
    if (probes.length === 0) return { type: "preflight_skipped" };
    const { target } = this.options.connect(release);
    const retry = { clock: this.options.clock, attempts: RECONCILE_ATTEMPTS };
    await this.assertLeaseHeld(release.id, lease);
    await withRetry(() => target.prepareOverride(release.stable, release.candidate, splitNote(release)), retry);
    return { type: "preflight_done", results: await runProbes(probes, target.overrideHeaders(release.candidate)) };
  }

  /** Runs one input through the state machine and stores the result. */
  private async advance(releaseId: string, input: Input, adjust = (release: Release) => release, lease?: Lease): Promise<StepResult> {
    let result!: StepResult;
    await this.update(
      releaseId,
      (release) => {
        result = step(release, input, this.options.clock.now());
        return result.ok && result.events.length > 0 ? { release: adjust(result.release), events: result.events } : undefined;
      },
      lease,
    );
    return result;
  }

  /** Throws LeaseLost unless the pass's lease is still its owner's: checked before every platform write. */
  private async assertLeaseHeld(releaseId: string, lease: Lease | undefined): Promise<void> {
    if (lease && !(await this.options.store.holdsLease(releaseId, this.fence(lease)))) {
      throw new LeaseLost(`release ${releaseId} is no longer leased to ${lease.owner}`);
    }
  }

  private fence(lease: Lease) {
    return { owner: lease.owner, now: this.options.clock.now() };
  }

  /**
   * Makes the platform serve the split the release's state asks for. A difference is either
   * Glidepath's own write that has not landed (the platform still shows the split Glidepath last
   * confirmed), which is re-applied, or someone else's change, which pauses the release. A
   * release that has ended always gets its final split: a rollback never gives up while the
   * platform is reachable.
   */
  private async reconcile(stored: StoredRelease, signal: AbortSignal | undefined, lease: Lease | undefined): Promise<StoredRelease> {
    const { release } = stored;
    const { target } = this.options.connect(release);
    const ending = isTerminal(release.state);
    const retry = {
      clock: this.options.clock,
      signal,
      attempts: ending ? Number.POSITIVE_INFINITY : RECONCILE_ATTEMPTS,
      ...(ending && { fixedDelayMs: FINAL_SPLIT_PROBE_MS }),
      onRetry: (error: Error, delayMs: number) => this.emit("retry", release.id, error.message, delayMs),
    };
    const desired = desiredSplit(release);
    if (ending && release.appliedSplit && splitsEqual(release.appliedSplit, desired)) return this.recordApplied(stored, desired, false, lease);
    if (release.state === "paused") return stored;

    const actual = await withRetry(() => target.currentSplit(), retry);
    if (splitsEqual(actual, desired)) return this.recordApplied(stored, desired, false, lease);

    const ownWriteMissing = release.appliedSplit !== null && splitsEqual(actual, release.appliedSplit);
    if (!ending && !ownWriteMissing) {
      await this.advance(release.id, { type: "drift", expected: desired, actual }, undefined, lease);
      return this.load(release.id);
    }
    await this.assertLeaseHeld(release.id, lease);
    await withRetry(() => target.applySplit(desired, splitNote(release)), retry);
    const confirmed = await withRetry(() => target.currentSplit(), retry);
    if (!splitsEqual(confirmed, desired)) {
      throw new Error(`the platform accepted ${formatSplit(desired)} but serves ${formatSplit(confirmed)}`);
    }
    return this.recordApplied(stored, desired, true, lease);
  }

  /** Records a split confirmed on the platform; when it is the final split of a release that has ended, the release is settled. */
  private recordApplied(stored: StoredRelease, split: Split, announce: boolean, lease: Lease | undefined): Promise<StoredRelease> {
    const settles = (release: Release) => isTerminal(release.state) && release.nextRunAt !== null && splitsEqual(desiredSplit(release), split);
    const recorded = (release: Release) => release.appliedSplit !== null && splitsEqual(release.appliedSplit, split);
    if (recorded(stored.release) && !settles(stored.release)) return Promise.resolve(stored);
    return this.update(
      stored.release.id,
      (release) => {
        if (recorded(release) && !settles(release)) return undefined;
        const events: ReleaseEventDraft[] = announce
          ? [{ type: "split_applied", split, note: splitNote(release), at: this.options.clock.now(), actor: ENGINE_ACTOR }]
          : [];
        return { release: { ...release, appliedSplit: split, ...(settles(release) && { nextRunAt: null }) }, events };
      },
      lease,
    );
  }

  /**
   * Loads the release, changes it and stores the change with its events, one writer at a time in
   * this process, and again from the fresh release when a writer elsewhere got there first.
   */
  private update(
    releaseId: string,
    change: (release: Release) => { release: Release; events: ReleaseEventDraft[] } | undefined,
    lease?: Lease,
  ): Promise<StoredRelease> {
    return this.exclusively(releaseId, async () => {
      for (;;) {
        const stored = await this.load(releaseId);
        const changed = change(stored.release);
        if (!changed) return stored;
        try {
          return await this.save(stored, changed.release, changed.events, lease);
        } catch (error) {
          if (!(error instanceof RevisionConflict)) throw error;
        }
      }
    });
  }

  private async save(stored: StoredRelease, next: Release, events: ReleaseEventDraft[], lease: Lease | undefined): Promise<StoredRelease> {
    const saved = await this.options.store.save(stored, next, events, lease && this.fence(lease));
    if (isTerminal(saved.release.state)) this.watchedUntil.delete(next.id);
    else this.watchedUntil.set(next.id, saved.release.lastCheckAt);
    for (const event of events) this.emit("event", next.id, event);
    // Settling may come with no event, when the final split was already in place.
    if (isSettled(saved.release) && !isSettled(stored.release)) this.emit("settled", next.id, saved.release);
    return saved;
  }

  private async load(releaseId: string): Promise<StoredRelease> {
    const stored = await this.options.store.get(releaseId);
    if (!stored) throw new ReleaseRefused(`no release with id ${releaseId}`);
    return stored;
  }

  /** Serializes writes to one release within this process. */
  private exclusively<T>(releaseId: string, work: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(releaseId) ?? Promise.resolve();
    const next = previous.then(work, work);
    const tail = next.then(
      () => undefined,
      () => undefined,
    );
    this.locks.set(releaseId, tail);
    void tail.then(() => {
      if (this.locks.get(releaseId) === tail) this.locks.delete(releaseId);
    });
    return next;
  }
}

/**
 * The stable version when none is named: the one serving all traffic, or, when adopting a split
 * already live, the version in it other than the candidate.
 */
function liveStable(live: Split, candidate: string, adopt: boolean): string {
  const others = live.filter((entry) => entry.percent > 0 && entry.version !== candidate);
  const inFlight = live.some((entry) => entry.version === candidate && entry.percent > 0);
  if (others.length !== 1 || (inFlight && !adopt)) {
    const advice = inFlight && others.length === 1 ? "adopt it to take it over, or name the stable version" : "finish or undo that rollout first, or name the stable version";
    throw new ReleaseRefused(`traffic is split (${formatSplit(live)}); ${advice}`);
  }
  return others[0]!.version;
}
