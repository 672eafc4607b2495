import { afterEach, describe, expect, it } from "vitest";
import type { OpenDatabase } from "./database.js";
import { ReleaseStore } from "./release-store.js";
import { BACKENDS, NOW, newRelease, open, removeFreshDatabases } from "./store.test-support.js";

afterEach(removeFreshDatabases);

const LEASE_MS = 30_000;
const claim = (store: ReleaseStore, owner: string, now = NOW) =>
  store.claimDue({ owner, now, leaseMs: LEASE_MS, limit: 10 });
const ids = (claimed: { release: { id: string } }[]) => claimed.map(({ release }) => release.id).sort();

describe.each(BACKENDS)("release leases on $name", (backend) => {
  let database: OpenDatabase;
  let store: ReleaseStore;
  afterEach(() => database.close());

  async function openStore() {
    database = await open(await backend.fresh());
    store = new ReleaseStore(database.db);
  }

  it("claims due releases only, and not one another owner holds until its lease expires", async () => {
    await openStore();
    await store.insert(newRelease("due"));
    await store.insert({ ...newRelease("later"), nextRunAt: NOW + 60_000 });
    await store.insert({ ...newRelease("settled"), state: "succeeded", finishedAt: NOW, nextRunAt: null });
    await store.insert({ ...newRelease("waiting"), nextRunAt: null });

    expect(ids(await claim(store, "a"))).toEqual(["id-due"]);
    expect(await claim(store, "b", NOW + LEASE_MS - 1)).toEqual([]);
    expect(ids(await claim(store, "b", NOW + LEASE_MS))).toEqual(["id-due"]);
    expect(ids(await claim(store, "c", NOW + 60_000 + LEASE_MS))).toEqual(["id-due", "id-later"]);
  });

  it("claims a release that has ended until its final split is confirmed", async () => {
    await openStore();
    await store.insert({ ...newRelease("ending"), state: "rolled_back", finishedAt: NOW });
    expect(ids(await claim(store, "a"))).toEqual(["id-ending"]);
  });

  it("tells when claimDue will next find something, counting leases held", async () => {
    await openStore();
    expect(await store.nextClaimableAt()).toBeNull();
    await store.insert({ ...newRelease("waiting"), nextRunAt: null });
    await store.insert({ ...newRelease("later"), nextRunAt: NOW + 60_000 });
    expect(await store.nextClaimableAt()).toBe(NOW + 60_000);

    await store.insert(newRelease("due"));
    expect(await store.nextClaimableAt()).toBe(NOW);
    await claim(store, "a");
    expect(await store.nextClaimableAt()).toBe(NOW + LEASE_MS);
  });

  it("renews a lease for its owner only, and frees it when released", async () => {
    await openStore();
    await store.insert(newRelease());
    await claim(store, "a");

    expect(await store.renewLease("id-checkout", "b", NOW + 1000, LEASE_MS)).toBe(false);
    expect(await store.renewLease("id-checkout", "a", NOW + 1000, LEASE_MS)).toBe(true);
    expect(await claim(store, "b", NOW + LEASE_MS)).toEqual([]);
    expect(await store.renewLease("id-checkout", "a", NOW + 1000 + LEASE_MS, LEASE_MS)).toBe(false);

    await store.releaseLease("id-checkout", "b");
    expect(await claim(store, "b", NOW + 2000)).toEqual([]);
    await store.releaseLease("id-checkout", "a");
    expect(ids(await claim(store, "b", NOW + 2000))).toEqual(["id-checkout"]);
  });

  it("leaves the revision alone, so the claimed release can be saved", async () => {
    await openStore();
    const inserted = await store.insert(newRelease());
    const [claimed] = await claim(store, "a");
    expect(claimed).toEqual(inserted);

    await store.save(claimed!, { ...claimed!.release, state: "running" }, []);
    await store.renewLease("id-checkout", "a", NOW + 1000, LEASE_MS);
    expect(await store.get("id-checkout")).toMatchObject({ revision: 1, release: { state: "running" } });
  });
});

describe("release leases across replicas on PostgreSQL", () => {
  it("gives each of 200 due releases to exactly one of 4 replicas claiming at once", async () => {
    const location = await BACKENDS[1]!.fresh();
    const replicas = await Promise.all([1, 2, 3, 4].map(() => open(location)));
    try {
      const seeding = new ReleaseStore(replicas[0]!.db);
      for (let index = 0; index < 200; index++) {
        await seeding.insert({ ...newRelease(`release-${index}`), nextRunAt: NOW - index });
      }

      const claimedByReplica = await Promise.all(
        replicas.map(async (replica, index) => {
          const store = new ReleaseStore(replica.db);
          const claimed: string[] = [];
          for (;;) {
            const batch = await store.claimDue({ owner: `replica-${index}`, now: NOW, leaseMs: LEASE_MS, limit: 7 });
            if (batch.length === 0) return claimed;
            claimed.push(...batch.map(({ release }) => release.id));
          }
        }),
      );

      const all = claimedByReplica.flat();
      expect(all).toHaveLength(200);
      expect(new Set(all).size).toBe(200);
      expect(claimedByReplica.filter((claimed) => claimed.length > 0).length).toBeGreaterThan(1);
    } finally {
      await Promise.all(replicas.map((replica) => replica.close()));
    }
  });
});
