import { afterEach, describe, expect, it } from "vitest";
import type { ReleaseEvent } from "../core/events.js";
import { isSettled, type Release } from "../core/release.js";
import { formatSplit, type Split } from "../core/split.js";
import { LocalTarget } from "../platforms/local/target.js";
import { proxyWithTwoVersions, stopEverything, type TestProxy } from "../platforms/local/test-harness.js";
import { PlatformError, type DeploymentTarget, type MetricsSource, type PlatformConnection } from "../platforms/types.js";
import type { OpenDatabase } from "../store/database.js";
import { openMemoryDatabase } from "../store/memory-database.test-support.js";
import { LeaseLost, ReleaseStore } from "../store/release-store.js";
import { BACKENDS, open, removeFreshDatabases } from "../store/store.test-support.js";
import { VirtualClock } from "../../test/support/virtual-clock.js";
import { Engine } from "./engine.js";
import { HEALTHY, TEST_PLAN } from "./engine.test-support.js";
import { Scheduler, type WakeUp } from "./scheduler.js";

const healthy = HEALTHY;
const metrics: MetricsSource = {
  query: async () =>
    new Map([
      ["v1", healthy],
      ["v2", healthy],
    ]),
};

const plan = TEST_PLAN;
const EVERY_STAGE = ["v1=90% v2=10%", "v1=50% v2=50%", "v2=100%"];

/** A platform in memory, for tests about scheduling rather than about a platform. */
class MemoryTarget implements DeploymentTarget {
  split: Split = [{ version: "v1", percent: 100 }];
  readonly applied: string[] = [];
  /** Set to make every call after creation fail. */
  failure: Error | undefined;
  failApply = false;

  async listVersions() {
    return [{ id: "v1" }, { id: "v2" }];
  }
  async currentSplit() {
    if (this.failure) throw this.failure;
    return this.split;
  }
  async applySplit(split: Split) {
    if (this.failApply) throw new Error("the process died here");
    this.split = split;
    this.applied.push(formatSplit(split));
  }
  async prepareOverride() {}
  overrideHeaders() {
    return {};
  }
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await stopEverything();
  await removeFreshDatabases();
});

async function freshStore(database?: OpenDatabase): Promise<ReleaseStore> {
  const opened = database ?? (await openMemoryDatabase());
  cleanups.push(() => opened.close());
  return new ReleaseStore(opened.db);
}

/**
 * The leases outlast virtual time's jumps: a replica that sleeps moves the shared clock by a
 * check interval at once, which in real time would never lapse a lease in the middle of a pass.
 */
const LEASE_MS = 120_000;

function startScheduler(engine: Engine, store: ReleaseStore, clock: VirtualClock, owner = "replica-1") {
  const scheduler = new Scheduler({ engine, store, clock, owner, leaseMs: LEASE_MS });
  const wakes: WakeUp[] = [];
  const errors: { error: unknown; releaseId: string | undefined }[] = [];
  scheduler.on("wake", (wake) => wakes.push(wake));
  scheduler.on("error", (error, releaseId) => errors.push({ error, releaseId }));
  scheduler.start();
  cleanups.push(() => scheduler.stop());
  return { scheduler, wakes, errors };
}

const create = (engine: Engine, name: string, config: Record<string, string>, autoStart = true) =>
  engine.create({ name, target: { platform: "test", config }, stable: "v1", candidate: "v2", plan, autoStart });

/** Lets the scheduler work, in virtual time, until every release has ended and its final split landed. */
async function untilSettled(store: ReleaseStore, ids: string[]): Promise<Release[]> {
  for (let turn = 0; turn < 200_000; turn++) {
    if (turn % 50 === 0) {
      const releases = await Promise.all(ids.map(async (id) => (await store.get(id))!.release));
      if (releases.every(isSettled)) return releases;
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error("the releases did not settle");
}

const stagesStarted = (events: ReleaseEvent[]) => events.flatMap((event) => (event.type === "stage_started" ? [event.stageIndex] : []));

describe("Scheduler", () => {
  it("drives several releases behind local proxies to success at once", async () => {
    const store = await freshStore();
    const clock = new VirtualClock();
    const engine = new Engine({ store, clock, connect: (release) => ({ target: new LocalTarget({ adminUrl: release.target.config.adminUrl! }), metrics }) });
    const proxies: TestProxy[] = [];
    const releases: Release[] = [];
    for (let index = 0; index < 4; index++) {
      const proxy = await proxyWithTwoVersions();
      proxies.push(proxy);
      releases.push(await create(engine, `service-${index}`, { adminUrl: proxy.adminUrl }));
    }
    const startedAt = clock.now();
    const { wakes, errors } = startScheduler(engine, store, clock);

    const finished = await untilSettled(store, releases.map((release) => release.id));

    expect(finished.map((release) => release.state)).toEqual(["succeeded", "succeeded", "succeeded", "succeeded"]);
    for (const proxy of proxies) {
      expect(proxy.currentSplit().split).toEqual([{ version: "v2", percent: 100 }]);
      expect(proxy.logLines.filter((line) => line.startsWith("split")).map((line) => line.replace(/^split ([^(]*) \(.*$/, "$1"))).toEqual(EVERY_STAGE);
    }
    expect(errors).toEqual([]);
    // 10 minutes of soak, and the release moved on at each check rather than on some later one.
    expect(clock.now() - startedAt).toBeGreaterThanOrEqual(10 * 60_000);
    expect(clock.now() - startedAt).toBeLessThan(15 * 60_000);
    expect(wakes.every((wake) => wake.lagMs >= 0 && wake.lagMs === wake.startedAt - wake.dueAt)).toBe(true);
  });

  it("leaves a release that was not auto-started alone until a person starts it", async () => {
    const store = await freshStore();
    const clock = new VirtualClock();
    const engine = new Engine({ store, clock, connect: (release) => ({ target: new LocalTarget({ adminUrl: release.target.config.adminUrl! }), metrics }) });
    const [waitingProxy, otherProxy] = [await proxyWithTwoVersions(), await proxyWithTwoVersions()];
    const waiting = await create(engine, "waiting", { adminUrl: waitingProxy.adminUrl }, false);
    const other = await create(engine, "other", { adminUrl: otherProxy.adminUrl });
    const { scheduler, wakes } = startScheduler(engine, store, clock);

    await untilSettled(store, [other.id]);
    expect((await store.get(waiting.id))!.release).toMatchObject({ state: "pending", nextRunAt: null });
    expect(await store.events(waiting.id)).toEqual([]);
    expect(wakes.map((wake) => wake.releaseId)).not.toContain(waiting.id);
    expect(waitingProxy.currentSplit().split).toEqual([{ version: "v1", percent: 100 }]);

    expect(await engine.command(waiting.id, { type: "start" }, "alice")).toMatchObject({ ok: true });
    scheduler.nudge();
    const [started] = await untilSettled(store, [waiting.id]);

    expect(started!.state).toBe("succeeded");
    expect((await store.events(waiting.id))[0]).toMatchObject({ type: "start_requested", actor: "alice" });
    expect(waitingProxy.currentSplit().split).toEqual([{ version: "v2", percent: 100 }]);
  });

  it("settles a rollback whose split a crashed replica never wrote", async () => {
    const store = await freshStore();
    const clock = new VirtualClock();
    const target = new MemoryTarget();
    const connect = (): PlatformConnection => ({ target, metrics });
    const dying = new Engine({ store, clock, connect });
    const created = await create(dying, "checkout", {});
    await dying.pass(created.id);
    expect(target.applied).toEqual(["v1=90% v2=10%"]);

    target.failApply = true;
    expect(await dying.command(created.id, { type: "rollback_now" }, "alice")).toMatchObject({ ok: true });
    await expect(dying.pass(created.id)).rejects.toThrow("the process died here");
    expect((await store.get(created.id))!.release).toMatchObject({ state: "rolled_back", nextRunAt: clock.now() });

    target.failApply = false;
    const { wakes } = startScheduler(new Engine({ store, clock, connect }), store, clock, "replica-2");
    const [settled] = await untilSettled(store, [created.id]);

    expect(settled!.state).toBe("rolled_back");
    expect(target.applied).toEqual(["v1=90% v2=10%", "v1=100%"]);
    expect(wakes.map((wake) => wake.releaseId)).toEqual([created.id]);
  });

  it("stops claiming when stopped, and gives up the leases of the passes it ended", async () => {
    const store = await freshStore();
    const clock = new VirtualClock();
    const engine = new Engine({ store, clock, connect: () => ({ target: new MemoryTarget(), metrics }) });
    const ids: string[] = [];
    for (const name of ["a", "b", "c"]) ids.push((await create(engine, name, { name })).id);
    const { scheduler, wakes } = startScheduler(engine, store, clock);
    while (wakes.length === 0) await new Promise((resolve) => setImmediate(resolve));

    await scheduler.stop();
    const seen = wakes.length;
    for (let turn = 0; turn < 200; turn++) await new Promise((resolve) => setImmediate(resolve));

    expect(wakes).toHaveLength(seen);
    for (const id of ids) expect(await store.renewLease(id, "replica-1", clock.now(), 30_000)).toBe(false);
  });

  it("keeps driving the other releases when a pass throws", async () => {
    const store = await freshStore();
    const clock = new VirtualClock();
    const targets = new Map<string, MemoryTarget>();
    const engine = new Engine({ store, clock, connect: (release) => ({ target: targets.get(release.target.config.name!)!, metrics }) });
    const created: Release[] = [];
    for (const name of ["broken", "refused", "healthy"]) {
      targets.set(name, new MemoryTarget());
      created.push(await create(engine, name, { name }));
    }
    const [broken, refused, healthyRelease] = created as [Release, Release, Release];
    targets.get("broken")!.failure = new Error("a bug");
    targets.get("refused")!.failure = new PlatformError("the token was revoked", false);
    const { errors } = startScheduler(engine, store, clock);

    await untilSettled(store, [healthyRelease.id, refused.id]);

    expect(targets.get("healthy")!.applied).toEqual(EVERY_STAGE);
    expect(errors.length).toBeGreaterThan(1);
    expect(errors.every(({ releaseId, error }) => releaseId === broken.id && (error as Error).message === "a bug")).toBe(true);
    // Each failure waits 30 s before the next try instead of spinning.
    const brokenNow = (await store.get(broken.id))!.release;
    expect(brokenNow.state).toBe("pending");
    expect(brokenNow.nextRunAt).toBeGreaterThan(clock.now());
    // A refusal no retry fixes fails the release, which had not moved any traffic yet.
    expect((await store.get(refused.id))!.release).toMatchObject({ state: "failed", reason: "the token was revoked" });
  });
});

describe("Schedulers on two replicas sharing PostgreSQL", () => {
  it("drive 24 releases to success without ever acting on one release at once", async () => {
    const location = await BACKENDS[1]!.fresh();
    const clock = new VirtualClock();
    const targets = new Map<string, MemoryTarget>();
    const connect = (release: Pick<Release, "target">) => ({ target: targets.get(release.target.config.name!)!, metrics });
    const inFlight = new Set<string>();
    let overlaps = 0;
    const replicas = await Promise.all(
      ["replica-a", "replica-b"].map(async (owner) => {
        const store = await freshStore(await open(location));
        const engine = new Engine({ store, clock, connect });
        const pass = engine.pass.bind(engine);
        engine.pass = async (releaseId, signal) => {
          if (inFlight.has(releaseId)) overlaps++;
          inFlight.add(releaseId);
          try {
            return await pass(releaseId, signal);
          } finally {
            inFlight.delete(releaseId);
          }
        };
        return { owner, store, engine };
      }),
    );
    const ids: string[] = [];
    for (let index = 0; index < 24; index++) {
      const name = `service-${index}`;
      targets.set(name, new MemoryTarget());
      ids.push((await create(replicas[index % 2]!.engine, name, { name })).id);
    }

    const schedulers = replicas.map(({ engine, store, owner }) => startScheduler(engine, store, clock, owner));
    const finished = await untilSettled(replicas[0]!.store, ids);

    expect(overlaps).toBe(0);
    expect(finished.every((release) => release.state === "succeeded")).toBe(true);
    for (const [index, id] of ids.entries()) {
      const events = await replicas[0]!.store.events(id);
      expect(stagesStarted(events)).toEqual([0, 1, 2]);
      expect(events.filter((event) => event.type === "promoted")).toHaveLength(1);
      expect(targets.get(`service-${index}`)!.applied).toEqual(EVERY_STAGE);
    }
    for (const { wakes, errors } of schedulers) {
      expect(wakes.length).toBeGreaterThan(0);
      expect(errors).toEqual([]);
    }
  });
});

describe("Fencing: a replica that lost its lease", () => {
  it("writes nothing, neither the release nor the platform's split, once another replica holds the lease", async () => {
    const store = await freshStore();
    const clock = new VirtualClock();
    const target = new MemoryTarget();
    const engine = new Engine({ store, clock, connect: () => ({ target, metrics }) });
    const created = await create(engine, "fenced", {});
    const [claimedByA] = await store.claimDue({ owner: "replica-a", now: clock.now(), leaseMs: 1000, limit: 1 });
    expect(claimedByA?.release.id).toBe(created.id);

    // Replica A stalls past its lease (a SIGSTOP, a long pause); replica B takes the release over.
    clock.advance(2000);
    expect(await store.claimDue({ owner: "replica-b", now: clock.now(), leaseMs: 1000, limit: 1 })).toHaveLength(1);
    const before = await store.get(created.id);

    await expect(engine.pass(created.id, undefined, { owner: "replica-a" })).rejects.toBeInstanceOf(LeaseLost);
    expect(target.applied).toEqual([]);
    expect(await store.get(created.id)).toEqual(before);

    const driven = await engine.pass(created.id, undefined, { owner: "replica-b" });
    expect(driven.stageIndex).toBe(0);
    expect(target.applied).toEqual(["v1=90% v2=10%"]);
  });

  it("cannot store a step either, even one that touches no platform", async () => {
    const store = await freshStore();
    const clock = new VirtualClock();
    const created = await create(new Engine({ store, clock, connect: () => ({ target: new MemoryTarget(), metrics }) }), "fenced-save", {});
    await store.claimDue({ owner: "replica-a", now: clock.now(), leaseMs: 1000, limit: 1 });
    const stored = (await store.get(created.id))!;
    clock.advance(1000);
    await expect(store.save(stored, { ...stored.release, reason: "stale" }, [], { owner: "replica-a", now: clock.now() })).rejects.toBeInstanceOf(LeaseLost);
    expect((await store.get(created.id))!.revision).toBe(stored.revision);
  });
});
