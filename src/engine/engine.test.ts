import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { ReleaseEvent } from "../core/events.js";
import type { Plan } from "../core/plan.js";
import type { SliSample } from "../core/sli.js";
import { startProxy, type ProxyHandle } from "../platforms/local/proxy.js";
import { LocalTarget } from "../platforms/local/target.js";
import { PlatformError, type MetricsSource, type MetricsWindow } from "../platforms/types.js";
import type { OpenDatabase } from "../store/database.js";
import { openMemoryDatabase } from "../store/memory-database.test-support.js";
import { ReleaseStore } from "../store/release-store.js";
import { VirtualClock } from "../../test/support/virtual-clock.js";
import { Engine, ReleaseRefused } from "./engine.js";
import { HEALTHY, TEST_PLAN } from "./engine.test-support.js";

const healthy = HEALTHY;
const erroring: SliSample = { ...healthy, errors: 200 };

const plan = TEST_PLAN;

type Answer = (query: { index: number; window: MetricsWindow }) => Promise<Map<string, SliSample>> | Map<string, SliSample>;

/** Stands in for a metrics system: answers each query from a script, so a test decides what health looks like. */
class ScriptedMetrics implements MetricsSource {
  queries: MetricsWindow[] = [];
  constructor(public answer: Answer) {}
  async query(window: MetricsWindow): Promise<Map<string, SliSample>> {
    this.queries.push(window);
    return this.answer({ index: this.queries.length - 1, window });
  }
}

const both = (stable: SliSample, candidate: SliSample) =>
  new Map([
    ["v1", stable],
    ["v2", candidate],
  ]);

interface Harness {
  engine: Engine;
  store: ReleaseStore;
  clock: VirtualClock;
  proxy: ProxyHandle;
  adminUrl: string;
  metrics: ScriptedMetrics;
  /** Every split the proxy served, in order, as "v1=90% v2=10%". */
  splits: string[];
  events(releaseId: string): Promise<ReleaseEvent[]>;
  restartEngine(): Engine;
}

let database: OpenDatabase;
beforeAll(async () => {
  database = await openMemoryDatabase();
});
afterAll(() => database.close());

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function harness(answer: Answer, { closesProxyItself = false } = {}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), "glidepath-engine-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const splits: string[] = [];
  const proxy = await startProxy({
    listen: { host: "127.0.0.1", port: 0 },
    admin: { host: "127.0.0.1", port: 0 },
    upstreams: new Map([
      ["v1", "http://127.0.0.1:9"],
      ["v2", "http://127.0.0.1:9"],
    ]),
    stateFile: join(dir, "split.json"),
    log: (line) => splits.push(line.replace(/^split /, "").replace(/ \(.*\)$/, "")),
  });
  if (!closesProxyItself) cleanups.push(() => proxy.close());
  const store = new ReleaseStore(database.db);
  const clock = new VirtualClock();
  const adminUrl = `http://127.0.0.1:${proxy.adminAddress.port}`;
  const metrics = new ScriptedMetrics(answer);
  const target = new LocalTarget({ adminUrl });
  const newEngine = () => new Engine({ store, clock, connect: () => ({ target, metrics }) });
  return {
    engine: newEngine(),
    store,
    clock,
    proxy,
    adminUrl,
    metrics,
    splits,
    events: (id) => store.events(id),
    restartEngine: newEngine,
  };
}

let releases = 0;
const release = (engine: Engine, overrides: Partial<Plan> = {}) =>
  engine.create({
    name: `checkout-${++releases}`,
    target: { platform: "local", config: {} },
    stable: "v1",
    candidate: "v2",
    plan: { ...plan, ...overrides },
    autoStart: true,
  });

const types = (events: ReleaseEvent[]) => events.map((event) => event.type);

describe("Engine", () => {
  it("walks every stage on healthy checks and leaves the candidate at 100%", async () => {
    const h = await harness(() => both(healthy, healthy));
    const created = await release(h.engine);

    const finished = await h.engine.run(created.id);

    expect(finished.state).toBe("succeeded");
    expect(h.splits).toEqual(["v1=90% v2=10%", "v1=50% v2=50%", "v2=100%"]);
    expect(h.proxy.currentSplit().split).toEqual([{ version: "v2", percent: 100 }]);
    const events = await h.events(created.id);
    expect(types(events).filter((type) => type !== "check_completed")).toEqual([
      "release_started",
      "stage_started",
      "split_applied",
      "stage_started",
      "split_applied",
      "stage_started",
      "promoted",
      "split_applied",
    ]);
    expect(await h.store.checks(created.id)).toHaveLength(10);
  });

  it("queries each check over the stage so far, per version, never blended", async () => {
    const h = await harness(() => both(healthy, healthy));
    const created = await release(h.engine);
    await h.engine.run(created.id);

    const [first, second] = h.metrics.queries;
    expect(second!.from).toEqual(first!.from);
    expect(second!.to.getTime() - first!.to.getTime()).toBe(60_000);
  });

  it("rolls back to 100% stable after the failure threshold of consecutive failing checks", async () => {
    const h = await harness(({ index }) => both(healthy, index >= 1 ? erroring : healthy));
    const created = await release(h.engine);

    const finished = await h.engine.run(created.id);

    expect(finished.state).toBe("rolled_back");
    expect(finished.reason).toMatch(/error_rate <= 0.01: v2 0.2 \(v1 0.001\)/);
    expect(h.splits).toEqual(["v1=90% v2=10%", "v1=100%"]);
    const verdicts = (await h.store.checks(created.id)).map((check) => check.verdict);
    expect(verdicts).toEqual(["pass", "fail", "fail", "fail"]);
  });

  it("keeps the soak clock still while metrics are unavailable, then finishes", async () => {
    const h = await harness(({ index }) => {
      if (index >= 2 && index < 5) throw new PlatformError("metrics down", false);
      return both(healthy, healthy);
    });
    const created = await release(h.engine);

    const finished = await h.engine.run(created.id);

    expect(finished.state).toBe("succeeded");
    const events = await h.events(created.id);
    expect(types(events).filter((type) => type === "metrics_unavailable")).toHaveLength(3);
    const firstStageChecks = (await h.store.checks(created.id)).filter((check) => check.stageIndex === 0);
    expect(firstStageChecks).toHaveLength(5);
    expect(h.metrics.queries).toHaveLength(13);
  });

  it("rolls back when metrics are unavailable and the plan says so", async () => {
    const h = await harness(() => {
      throw new PlatformError("metrics down", false);
    });
    const created = await release(h.engine, { policy: { ...plan.policy, onMetricsUnavailable: "rollback" } });

    const finished = await h.engine.run(created.id);

    expect(finished.state).toBe("rolled_back");
    expect(finished.reason).toMatch(/metrics unavailable.*metrics down/);
    expect(h.proxy.currentSplit().split).toEqual([{ version: "v1", percent: 100 }]);
  });

  it("pauses on drift, records both splits, and re-applies its own split when resumed", async () => {
    const h = await harness(async ({ index }) => {
      if (index === 1) await new LocalTarget({ adminUrl: h.adminUrl }).applySplit([{ version: "v1", percent: 100 }], "by hand");
      return both(healthy, healthy);
    });
    const engine = h.engine;
    const created = await release(engine);
    const running = engine.run(created.id);

    await waitFor(async () => (await h.store.get(created.id))?.release.state === "paused");
    const drift = (await h.events(created.id)).find((event) => event.type === "drift_detected");
    expect(drift).toMatchObject({
      expected: [
        { version: "v1", percent: 90 },
        { version: "v2", percent: 10 },
      ],
      actual: [{ version: "v1", percent: 100 }],
    });
    expect(h.proxy.currentSplit().split).toEqual([{ version: "v1", percent: 100 }]);

    const resumed = await engine.command(created.id, { type: "resume" }, "alice");
    expect(resumed.ok).toBe(true);
    expect((await running).state).toBe("succeeded");
    expect(h.splits).toEqual(["v1=90% v2=10%", "v1=100%", "v1=90% v2=10%", "v1=50% v2=50%", "v2=100%"]);
  });

  it("re-applies a split it saved but did not get to write, without calling it drift", async () => {
    const h = await harness(() => both(healthy, healthy));
    const created = await release(h.engine);
    const stopped = new AbortController();
    h.metrics.answer = ({ index }) => {
      if (index === 4) stopped.abort();
      return both(healthy, healthy);
    };
    await h.engine.run(created.id, stopped.signal);
    const stored = (await h.store.get(created.id))!;
    // As if the engine died after saving stage 2 and before writing its split.
    await h.store.save(stored, { ...stored.release, stageIndex: 1, stageStartedAt: h.clock.now(), soakServedSeconds: 0 }, []);

    const finished = await h.restartEngine().run(created.id);

    expect(finished.state).toBe("succeeded");
    expect(types(await h.events(created.id))).not.toContain("drift_detected");
    expect(h.splits).toEqual(["v1=90% v2=10%", "v1=50% v2=50%", "v2=100%"]);
  });

  it("keeps a rollback due until its split has landed, so a fresh engine settles it after a crash", async () => {
    const h = await harness(() => both(healthy, healthy));
    const created = await release(h.engine);
    const stopped = new AbortController();
    h.metrics.answer = () => {
      stopped.abort();
      return both(healthy, healthy);
    };
    await h.engine.run(created.id, stopped.signal);
    expect(h.splits).toEqual(["v1=90% v2=10%"]);

    class DyingTarget extends LocalTarget {
      override async applySplit(): Promise<void> {
        throw new Error("the process died here");
      }
    }
    const dying = new Engine({ store: h.store, clock: h.clock, connect: () => ({ target: new DyingTarget({ adminUrl: h.adminUrl }), metrics: h.metrics }) });
    expect((await dying.command(created.id, { type: "rollback_now" }, "alice")).ok).toBe(true);
    await expect(dying.pass(created.id)).rejects.toThrow("the process died here");
    expect((await h.store.get(created.id))!.release).toMatchObject({ state: "rolled_back", nextRunAt: h.clock.now() });
    expect(h.splits).toEqual(["v1=90% v2=10%"]);

    const settled = await h.restartEngine().pass(created.id);

    expect(settled).toMatchObject({ state: "rolled_back", nextRunAt: null });
    expect(h.splits).toEqual(["v1=90% v2=10%", "v1=100%"]);
  });

  it("resumes after a restart with the soak already served, not counting the time it was down", async () => {
    const h = await harness(() => both(healthy, healthy));
    const created = await release(h.engine);
    const crashed = new AbortController();
    h.metrics.answer = ({ index }) => {
      if (index === 2) crashed.abort();
      return both(healthy, healthy);
    };
    await h.engine.run(created.id, crashed.signal);
    const beforeCrash = (await h.store.get(created.id))!.release;
    expect(beforeCrash).toMatchObject({ state: "running", stageIndex: 0, soakServedSeconds: 180 });

    h.clock.advance(3_600_000);
    h.metrics.answer = () => both(healthy, healthy);
    const finished = await h.restartEngine().run(created.id);

    expect(finished.state).toBe("succeeded");
    const firstStage = (await h.store.checks(created.id)).filter((check) => check.stageIndex === 0);
    // 3 checks before the crash served 3 of 5 minutes; the hour away counts for nothing, so 2 more are needed.
    expect(firstStage).toHaveLength(6);
  });

  it("credits no soak for the time it was down, even back within a check interval, until a check of its own has passed", async () => {
    const h = await harness(() => both(healthy, healthy));
    const created = await release(h.engine);
    const crashed = new AbortController();
    h.metrics.answer = ({ index }) => {
      if (index === 2) crashed.abort();
      return both(healthy, healthy);
    };
    await h.engine.run(created.id, crashed.signal);
    expect((await h.store.get(created.id))!.release).toMatchObject({ stageIndex: 0, soakServedSeconds: 180 });

    // Back 30 s later, with the next check due within the interval; its first check has too little data to pass.
    h.clock.advance(30_000);
    h.metrics.answer = ({ index }) => (index === 3 ? both(healthy, { ...healthy, requests: 10 }) : both(healthy, healthy));
    const finished = await h.restartEngine().run(created.id);

    expect(finished.state).toBe("succeeded");
    const firstStage = (await h.store.checks(created.id)).filter((check) => check.stageIndex === 0);
    // 180 s before the crash; nothing for the thin check nor the passing one after it; then 60 s a check.
    expect(firstStage.map((check) => check.verdict)).toEqual(["pass", "pass", "pass", "insufficient_data", "pass", "pass", "pass"]);
  });

  it("cancels on command and puts 100% back on stable", async () => {
    const h = await harness(async ({ index }) => {
      if (index === 1) await h.engine.command(created.id, { type: "cancel" }, "alice");
      return both(healthy, healthy);
    });
    const created = await release(h.engine);

    const finished = await h.engine.run(created.id);

    expect(finished).toMatchObject({ state: "cancelled", reason: "cancelled by alice" });
    expect(h.proxy.currentSplit().split).toEqual([{ version: "v1", percent: 100 }]);
    const cancelled = (await h.events(created.id)).find((event) => event.type === "cancelled");
    expect(cancelled?.actor).toBe("alice");
  });

  it("tells once that a release has settled, also when its final split was in place already and no event says so", async () => {
    const h = await harness(() => both(healthy, healthy));
    const settled: [string, string][] = [];
    h.engine.on("settled", (releaseId, settledRelease) => settled.push([releaseId, settledRelease.state]));
    const created = await release(h.engine, { preflight: [{ url: "http://127.0.0.1:9/", expectStatus: 200, timeoutSeconds: 1 }] });

    const finished = await h.engine.run(created.id);

    expect(finished.state).toBe("rolled_back");
    expect(types(await h.events(created.id))).not.toContain("split_applied");
    expect(settled).toEqual([[created.id, "rolled_back"]]);
  });

  it("refuses commands that do not fit the state, with a reason", async () => {
    const h = await harness(() => both(healthy, healthy));
    const created = await release(h.engine);
    const result = await h.engine.command(created.id, { type: "approve" }, "alice");
    expect(result).toEqual({ ok: false, error: "cannot approve a release that is pending" });
  });

  it("refuses to start with an unknown version or while another split is live", async () => {
    const h = await harness(() => both(healthy, healthy));
    await expect(
      h.engine.create({ name: "x", target: { platform: "local", config: {} }, stable: "v1", candidate: "v3", plan }),
    ).rejects.toThrow(new ReleaseRefused('unknown version "v3"; the platform has v1, v2'));

    await h.proxy.setSplit([
      { version: "v1", percent: 70 },
      { version: "v2", percent: 30 },
    ]);
    await expect(release(h.engine)).rejects.toThrow(/live split is v1=70% v2=30%, not 100% on the stable version v1/);
  });

  it("keeps trying to roll back while the proxy admin API is down, once a second, and finishes once it is back", async () => {
    const h = await harness(({ index }) => both(healthy, index >= 1 ? erroring : healthy), { closesProxyItself: true });
    const created = await release(h.engine);
    let retries = 0;
    const delays: number[] = [];
    const adminPort = h.proxy.adminAddress.port;
    const stateFile = join(mkdtempSync(join(tmpdir(), "glidepath-engine-")), "split.json");
    let restarted: ProxyHandle | undefined;
    h.engine.on("retry", (_id, _message, delayMs) => {
      retries++;
      delays.push(delayMs);
      if (retries === 8) {
        void startProxy({
          listen: { host: "127.0.0.1", port: 0 },
          admin: { host: "127.0.0.1", port: adminPort },
          upstreams: new Map([
            ["v1", "http://127.0.0.1:9"],
            ["v2", "http://127.0.0.1:9"],
          ]),
          stateFile,
          log: () => {},
        }).then((proxy) => {
          restarted = proxy;
          cleanups.push(() => proxy.close());
        });
      }
    });
    h.metrics.answer = async ({ index }) => {
      if (index === 3) await h.proxy.close();
      return both(healthy, index >= 1 ? erroring : healthy);
    };

    const finished = await h.engine.run(created.id);

    expect(finished.state).toBe("rolled_back");
    expect(retries).toBeGreaterThanOrEqual(8);
    // A fixed short interval, not a back-off: the rollback lands within about a second of the platform's return.
    expect(new Set(delays)).toEqual(new Set([1000]));
    expect(restarted?.currentSplit().split).toEqual([{ version: "v1", percent: 100 }]);
  });
});

async function waitFor(condition: () => Promise<boolean>) {
  for (let attempt = 0; attempt < 500; attempt++) {
    if (await condition()) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error("condition not met");
}
