import { EventEmitter } from "node:events";
import { PlatformError } from "../platforms/types.js";
import { LeaseLost, type ReleaseStore } from "../store/release-store.js";
import type { Clock } from "../support/clock.js";
import type { Engine } from "./engine.js";

export interface SchedulerOptions {
  engine: Engine;
  store: ReleaseStore;
  clock: Clock;
  /** Who holds the leases: unique per replica (e.g. host and pid). */
  owner: string;
  /**
   * How long a lease lasts: how long a release waits for another replica when the one driving it
   * dies. It is renewed every third of that while a pass runs. 4 s by default.
   */
  leaseMs?: number;
  /** How often to look for releases that another replica created or woke. */
  pollIntervalMs?: number;
  /** How many releases this replica drives at once. */
  concurrency?: number;
}

export const DEFAULT_LEASE_MS = 4000;

/** One pass over a release: when it was due and how late the pass began. */
export interface WakeUp {
  releaseId: string;
  dueAt: number;
  startedAt: number;
  lagMs: number;
}

export interface SchedulerEvents {
  wake: [wakeUp: WakeUp];
  /**
   * Something other than the platform failed (the platform's failures are the engine's "retry"
   * events); the release, if any, is tried again later. Emitted only while someone listens.
   */
  error: [error: unknown, releaseId: string | undefined];
}

interface Pass {
  done: Promise<void>;
  renewedAt: number;
  /** Aborted when the lease is lost. */
  abort: AbortController;
}

/**
 * Drives every release that is due, in one process and across replicas: leases due releases
 * from the store, runs a pass over each (several at once), and sleeps until the next one is due.
 * The store's leases make sure only one replica acts on a release at a time.
 */
export class Scheduler extends EventEmitter<SchedulerEvents> {
  private readonly engine: Engine;
  private readonly store: ReleaseStore;
  private readonly clock: Clock;
  private readonly owner: string;
  private readonly leaseMs: number;
  private readonly pollIntervalMs: number;
  private readonly concurrency: number;
  /** The passes in flight, by release id. */
  private readonly passes = new Map<string, Pass>();
  private readonly stopped = new AbortController();
  private waker = new AbortController();
  /** When the claim loop means to look again. */
  private sleepingUntil = Number.POSITIVE_INFINITY;
  private loop: Promise<void> | undefined;

  constructor({ engine, store, clock, owner, leaseMs = DEFAULT_LEASE_MS, pollIntervalMs = 1000, concurrency = 64 }: SchedulerOptions) {
    super();
    this.engine = engine;
    this.store = store;
    this.clock = clock;
    this.owner = owner;
    this.leaseMs = leaseMs;
    this.pollIntervalMs = pollIntervalMs;
    this.concurrency = concurrency;
  }

  start(): void {
    this.loop ??= this.claimLoop();
  }

  /** Looks for due releases at once: after a release was created or given a command here. */
  nudge(): void {
    this.waker.abort();
  }

  /** Stops claiming, ends the passes in flight at their next safe point and gives up their leases. */
  async stop(): Promise<void> {
    this.stopped.abort();
    this.nudge();
    await this.loop;
    await Promise.all([...this.passes.values()].map((pass) => pass.done));
  }

  private async claimLoop(): Promise<void> {
    while (!this.stopped.signal.aborted) {
      // A fresh waker before looking, so a nudge that comes while the store answers is not lost.
      this.waker = new AbortController();
      // Until the next sleep is planned, any pass that ends may change the plan.
      this.sleepingUntil = Number.POSITIVE_INFINITY;
      const { signal } = this.waker;
      try {
        await this.renewLeases();
        const free = this.concurrency - this.passes.size;
        if (free > 0) {
          const claimed = await this.store.claimDue({ owner: this.owner, now: this.clock.now(), leaseMs: this.leaseMs, limit: free });
          // A release already in flight here had its lease lapse and claimed again: it keeps its one pass.
          for (const { release } of claimed) if (!this.passes.has(release.id)) this.drive(release.id, release.nextRunAt!);
          if (claimed.length === free) continue;
        }
        this.sleepingUntil = await this.nextLookAt();
        await this.clock.sleepUntil(this.sleepingUntil, signal);
      } catch (error) {
        this.report(error);
        await this.clock.sleepUntil(this.clock.now() + this.pollIntervalMs, signal);
      }
    }
  }

  /** The next release due, a lease to renew, or the next poll, whichever comes first. */
  private async nextLookAt(): Promise<number> {
    const renewals = [...this.passes.values()].map((pass) => pass.renewedAt + this.leaseMs / 3);
    const due = this.passes.size < this.concurrency ? ((await this.store.nextClaimableAt()) ?? Number.POSITIVE_INFINITY) : Number.POSITIVE_INFINITY;
    return Math.min(due, this.clock.now() + this.pollIntervalMs, ...renewals);
  }

  /** Keeps the leases of long passes; a pass whose lease another replica has taken stops. */
  private async renewLeases(): Promise<void> {
    const now = this.clock.now();
    for (const [releaseId, pass] of this.passes) {
      if (now < pass.renewedAt + this.leaseMs / 3) continue;
      const renewed = await this.store.renewLease(releaseId, this.owner, now, this.leaseMs).catch((error: unknown) => {
        this.report(error, releaseId);
        return false;
      });
      if (renewed) pass.renewedAt = now;
      else pass.abort.abort();
    }
  }

  private drive(releaseId: string, dueAt: number): void {
    const abort = new AbortController();
    const done = this.runPass(releaseId, dueAt, AbortSignal.any([abort.signal, this.stopped.signal])).then((nextRunAt) => {
      const wasFull = this.passes.size >= this.concurrency;
      this.passes.delete(releaseId);
      // The loop planned its sleep while this release's lease was held; now it is free, and due sooner.
      if (wasFull || (nextRunAt !== null && nextRunAt < this.sleepingUntil)) this.nudge();
    });
    this.passes.set(releaseId, { done, renewedAt: this.clock.now(), abort });
  }

  /** Runs one pass and gives up the lease; returns when the release is next due, if it is. */
  private async runPass(releaseId: string, dueAt: number, signal: AbortSignal): Promise<number | null> {
    const startedAt = this.clock.now();
    this.emit("wake", { releaseId, dueAt, startedAt, lagMs: startedAt - dueAt });
    const lease = { owner: this.owner };
    try {
      return (await this.engine.pass(releaseId, signal, lease)).nextRunAt;
    } catch (error) {
      // Stopped, or the lease is gone: whoever drives the release next starts afresh.
      if (signal.aborted || error instanceof LeaseLost) return null;
      if (!(error instanceof PlatformError)) this.report(error, releaseId);
      const recovered = await this.engine.recover(releaseId, error, lease).catch((unrecovered: unknown) => this.report(unrecovered, releaseId));
      return recovered?.nextRunAt ?? null;
    } finally {
      await this.store.releaseLease(releaseId, this.owner).catch((error: unknown) => this.report(error, releaseId));
    }
  }

  private report(error: unknown, releaseId?: string): void {
    if (this.listenerCount("error") > 0) this.emit("error", error, releaseId);
  }
}
