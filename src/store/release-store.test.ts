import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { Release } from "../core/release.js";
import { step } from "../core/step.js";
import { openEmbeddedDatabase } from "./database.js";
import { ReleaseStore, RevisionConflict } from "./release-store.js";
import { BACKENDS, NOW, newRelease, open, removeFreshDatabases } from "./store.test-support.js";

afterEach(removeFreshDatabases);

function started(release: Release): ReturnType<typeof step> & { ok: true } {
  const result = step(release, { type: "preflight_skipped" }, NOW + 1000);
  if (!result.ok) throw new Error(result.error);
  return result;
}

describe.each(BACKENDS)("ReleaseStore on $name", (backend) => {
  it("keeps releases, events and checks across a reopen", async () => {
    const location = await backend.fresh();
    const first = await open(location);
    const store = new ReleaseStore(first.db);
    const inserted = await store.insert(newRelease());
    const { release, events } = started(inserted.release);
    await store.save(inserted, release, events);
    const measured = step(
      release,
      {
        type: "measured",
        window: { from: NOW + 1000, to: NOW + 61_000 },
        samples: new Map([
          ["v1", { requests: 9500, errors: 2, latencyMs: { p99: 50 } }],
          ["v2", { requests: 500, errors: 0, latencyMs: { p99: 48 } }],
        ]),
      },
      NOW + 61_000,
    );
    if (!measured.ok) throw new Error(measured.error);
    await store.save({ release, revision: 1 }, measured.release, measured.events);
    await first.close();

    const second = await open(location);
    const reopened = new ReleaseStore(second.db);
    const stored = await reopened.findUnfinished("checkout");
    expect(stored).toEqual({ release: measured.release, revision: 2 });
    expect((await reopened.events(release.id)).map((event) => event.type)).toEqual([
      "release_started",
      "stage_started",
      "check_completed",
    ]);
    const [check] = await reopened.checks(release.id);
    expect(check).toMatchObject({ verdict: "pass", samples: { candidate: { requests: 500 } } });
    expect(check!.results).toEqual(measured.events.find((event) => event.type === "check_completed")?.check.results);
    expect(check!.results[0]!.evidence).toMatchObject({ counted: "errors", candidate: { trials: 500, events: 0 } });
    await second.close();
  });

  it("refuses a write based on a revision someone else already replaced, and writes nothing", async () => {
    const database = await open(await backend.fresh());
    const store = new ReleaseStore(database.db);
    const inserted = await store.insert(newRelease());
    const { release, events } = started(inserted.release);
    await store.save(inserted, release, events);

    await expect(store.save(inserted, { ...release, state: "cancelled" }, [])).rejects.toBeInstanceOf(RevisionConflict);
    expect((await store.get(release.id))?.release.state).toBe("running");
    await database.close();
  });

  it("allows one unfinished release per name, and the name again once it has finished", async () => {
    const database = await open(await backend.fresh());
    const store = new ReleaseStore(database.db);
    const first = await store.insert(newRelease());
    await expect(store.insert({ ...newRelease(), id: "another" })).rejects.toThrow();

    const ended = await store.save(first, { ...first.release, state: "succeeded", finishedAt: NOW }, []);
    // Its final split is not confirmed yet: the engine has not finished with it.
    expect((await store.findUnfinished("checkout"))?.release.id).toBe(first.release.id);
    await store.save(ended, { ...ended.release, nextRunAt: null }, []);
    expect(await store.findUnfinished("checkout")).toBeUndefined();
    await store.insert({ ...newRelease(), id: "another" });
    expect((await store.findUnfinished("checkout"))?.release.id).toBe("another");
    await database.close();
  });
});

describe("embedded database", () => {
  it("lets one process at a time use a data directory, and takes over a lock left by a dead one", async () => {
    const { dataDir } = await BACKENDS[0]!.fresh();
    const dir = dataDir!;
    const opened = await openEmbeddedDatabase(dir);
    await expect(openEmbeddedDatabase(dir)).rejects.toThrow(`in use by a glidepath process (pid ${process.pid})`);
    await opened.close();

    writeFileSync(join(dir, "glidepath.lock"), "2147483646");
    const reopened = await openEmbeddedDatabase(dir);
    await reopened.close();
  });
});
