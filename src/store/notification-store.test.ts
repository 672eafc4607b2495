import { afterEach, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import type { OpenDatabase } from "./database.js";
import { IdentityStore } from "./identity-store.js";
import { advance, NotificationStore, type ChannelRecord, type FeedEvent, type NewDelivery } from "./notification-store.js";
import { ReleaseStore } from "./release-store.js";
import { deliveries, events } from "./schema.js";
import { BACKENDS, NOW, newRelease, open, removeFreshDatabases } from "./store.test-support.js";

afterEach(removeFreshDatabases);

const TEAM = "team_1";
const GRACE_MS = 60_000;

/** Every event to every channel of its team, as its own kind. */
const everything = (fed: FeedEvent[], channelsOf: (teamId: string) => ChannelRecord[]): NewDelivery[] =>
  fed.flatMap(({ event, release, teamId }) =>
    channelsOf(teamId).map((channel) => ({ channelId: channel.id, eventId: event.id, releaseId: release.id, kind: event.type, message: {} })),
  );

const channelRow = (id: string): ChannelRecord => ({
  id,
  teamId: TEAM,
  name: id,
  type: "slack",
  events: ["release_started"],
  enabled: true,
  sealedSecret: "sealed",
  createdAt: new Date(NOW),
  updatedAt: new Date(NOW),
});

const started = (at = NOW) => [{ type: "resumed" as const, at, actor: "glidepath" }];

describe("advance", () => {
  it("moves along ids without gaps", () => {
    expect(advance(3, null, [4, 5, 6], NOW, GRACE_MS)).toEqual({ eventId: 6, heldSince: null });
    expect(advance(3, null, [], NOW, GRACE_MS)).toEqual({ eventId: 3, heldSince: null });
  });

  it("waits at a gap until the missing event comes or the grace has passed", () => {
    expect(advance(3, null, [4, 6, 7], NOW, GRACE_MS)).toEqual({ eventId: 4, heldSince: NOW });
    expect(advance(4, NOW, [6, 7], NOW + GRACE_MS - 1, GRACE_MS)).toEqual({ eventId: 4, heldSince: NOW });
    expect(advance(4, NOW, [5, 6, 7], NOW + 10, GRACE_MS)).toEqual({ eventId: 7, heldSince: null });
    expect(advance(4, NOW, [6, 7, 9], NOW + GRACE_MS, GRACE_MS)).toEqual({ eventId: 7, heldSince: NOW + GRACE_MS });
  });
});

describe.each(BACKENDS)("notification store on $name", (backend) => {
  let database: OpenDatabase;
  let store: NotificationStore;
  let releases: ReleaseStore;
  afterEach(() => database?.close());

  async function openStore() {
    database = await open(await backend.fresh());
    store = new NotificationStore(database.db);
    releases = new ReleaseStore(database.db);
    await new IdentityStore(database.db).createTeam({ id: TEAM, slug: "payments", name: "Payments", createdAt: new Date(NOW) });
  }

  async function channel(id: string) {
    const created = await store.createChannel(channelRow(id));
    if (created === "name_taken") throw new Error("taken");
    return created;
  }

  const feed = (now = NOW, limit = 100) => store.feed({ now, limit, gapGraceMs: GRACE_MS, plan: everything });
  const pending = async (channelId: string) => (await store.deliveries(channelId, { limit: 1000 })).filter((row) => row.status === "pending");

  it("feeds each event to each channel once, however often it is fed, and moves its cursor", async () => {
    await openStore();
    await channel("c1");
    await channel("c2");
    await releases.insert(newRelease("a"), started(), { teamId: TEAM });
    await releases.insert(newRelease("b"), [...started(), ...started()], { teamId: TEAM });
    await releases.insert(newRelease("cli"), started());

    expect(await feed()).toMatchObject({ busy: false, read: 4, enqueued: 6, cursor: 4, more: false });
    expect(await feed()).toMatchObject({ busy: false, read: 0, enqueued: 0, cursor: 4 });
    expect(await pending("c1")).toHaveLength(3);

    // Read again from the start (as after a crash between writing and moving on): nothing doubles.
    await database.db.execute(sql`update outbox_cursors set event_id = 0`);
    expect(await feed()).toMatchObject({ read: 4, enqueued: 0, cursor: 4 });
    expect(await pending("c2")).toHaveLength(3);
  });

  it("feeds in batches", async () => {
    await openStore();
    await channel("c1");
    for (const name of ["a", "b", "c", "d", "e"]) await releases.insert(newRelease(name), started(), { teamId: TEAM });
    expect(await feed(NOW, 2)).toMatchObject({ read: 2, cursor: 2, more: true });
    expect(await feed(NOW, 2)).toMatchObject({ read: 2, cursor: 4, more: true });
    expect(await feed(NOW, 2)).toMatchObject({ read: 1, cursor: 5, more: false });
    expect(await pending("c1")).toHaveLength(5);
  });

  it("waits at a gap in event ids, then passes it when the grace is over", async () => {
    await openStore();
    await channel("c1");
    await releases.insert(newRelease("a"), started(), { teamId: TEAM });
    // An id taken by a transaction that rolled back: it never appears.
    await database.db.execute(sql`select nextval(pg_get_serial_sequence('events', 'id'))`);
    await releases.insert(newRelease("b"), started(), { teamId: TEAM });

    expect(await feed()).toMatchObject({ read: 2, enqueued: 2, cursor: 1 });
    expect(await feed(NOW + GRACE_MS - 1)).toMatchObject({ read: 1, enqueued: 0, cursor: 1 });
    expect(await feed(NOW + GRACE_MS)).toMatchObject({ read: 1, enqueued: 0, cursor: 3 });
    expect(await pending("c1")).toHaveLength(2);
  });

  it("claims due deliveries once, one per channel at a time, and takes a claim back only from its holder", async () => {
    await openStore();
    await channel("c1");
    await channel("c2");
    await releases.insert(newRelease("a"), [...started(), ...started()], { teamId: TEAM });
    await feed();

    const first = await store.claimDue({ now: NOW, leaseMs: 30_000, limit: 10 });
    expect(first.map(({ delivery }) => [delivery.channelId, delivery.eventId])).toEqual([
      ["c1", 1],
      ["c2", 1],
    ]);
    expect(first[0]!.channel).toMatchObject({ id: "c1", type: "slack" });
    expect(await store.claimDue({ now: NOW, leaseMs: 30_000, limit: 10, busyChannels: ["c1", "c2"] })).toEqual([]);
    const second = await store.claimDue({ now: NOW, leaseMs: 30_000, limit: 10, busyChannels: ["c1"] });
    expect(second.map(({ delivery }) => [delivery.channelId, delivery.eventId])).toEqual([["c2", 2]]);
    expect(await store.nextDueAt()).toBe(NOW);

    expect(await store.finish(first[0]!, { status: "delivered", at: new Date(NOW + 5) })).toBe(true);
    expect(await store.finish(first[0]!, { status: "failed", error: "late", attempted: true })).toBe(false);
    expect(await store.finish(first[1]!, { status: "pending", nextAttemptAt: new Date(NOW + 60_000), error: "503" })).toBe(true);
    const [retried] = (await store.deliveries("c2", { limit: 10 })).filter((row) => row.eventId === 1);
    expect(retried).toMatchObject({ status: "pending", attempts: 1, lastError: "503" });

    // c2's second delivery is held by `second`'s lease; a stale claim of it cannot finish after the lease moved on.
    const reclaimed = await store.claimDue({ now: NOW + 30_000, leaseMs: 30_000, limit: 10 });
    expect(reclaimed.map(({ delivery }) => [delivery.channelId, delivery.eventId])).toEqual([
      ["c1", 2],
      ["c2", 2],
    ]);
    expect(await store.finish(second[0]!, { status: "delivered", at: new Date(NOW) })).toBe(false);
  });

  it("answers a taken name on create and on rename", async () => {
    await openStore();
    await channel("c1");
    const c2 = await channel("c2");
    expect(await store.createChannel({ ...c2, id: "c3", name: "c1" })).toBe("name_taken");
    expect(await store.updateChannel(TEAM, "c2", { name: "c1", updatedAt: new Date(NOW) })).toBe("name_taken");
    expect(await store.updateChannel(TEAM, "c2", { name: "renamed", updatedAt: new Date(NOW) })).toMatchObject({ name: "renamed" });
    expect(await store.updateChannel("team_other", "c2", { name: "x", updatedAt: new Date(NOW) })).toBeUndefined();
    expect(await store.deleteChannel(TEAM, "c1")).toMatchObject({ id: "c1" });
    expect(await store.channels(TEAM)).toHaveLength(1);
  });
});

describe("notification store across replicas on PostgreSQL", () => {
  const backend = BACKENDS.find(({ name }) => name === "PostgreSQL")!;
  const databases: OpenDatabase[] = [];
  afterEach(async () => {
    await Promise.all(databases.splice(0).map((database) => database.close()));
  });

  async function replicas(count: number) {
    const options = await backend.fresh();
    for (let i = 0; i < count; i++) databases.push(await open(options));
    await new IdentityStore(databases[0]!.db).createTeam({ id: TEAM, slug: "payments", name: "Payments", createdAt: new Date(NOW) });
    return databases.map(({ db }) => ({ db, store: new NotificationStore(db), releases: new ReleaseStore(db) }));
  }

  it("feeds every event once and claims every delivery once with four replicas at the same time", async () => {
    const [first, ...others] = await replicas(4);
    const all = [first!, ...others];
    for (let i = 0; i < 20; i++) {
      await first!.store.createChannel(channelRow(`c${i}`));
    }
    const writers = Array.from({ length: 10 }, (_, i) =>
      first!.releases.insert(newRelease(`r${i}`), Array.from({ length: 10 }, () => started()[0]!), { teamId: TEAM }),
    );
    const feeders = all.map(async ({ store }) => {
      let enqueued = 0;
      for (let round = 0; round < 50; round++) {
        const result = await store.feed({ now: NOW, limit: 25, gapGraceMs: GRACE_MS, plan: everything });
        if (!result.busy) enqueued += result.enqueued;
      }
      return enqueued;
    });
    await Promise.all(writers);
    const fedWhileWriting = (await Promise.all(feeders)).reduce((a, b) => a + b, 0);
    let fedAfter = 0;
    for (;;) {
      const result = await first!.store.feed({ now: NOW + GRACE_MS, limit: 1000, gapGraceMs: GRACE_MS, plan: everything });
      if (result.busy) continue;
      fedAfter += result.enqueued;
      if (!result.more) break;
    }
    expect(fedWhileWriting + fedAfter).toBe(100 * 20);
    const [row] = await first!.db.select({ count: sql<number>`count(*)::int` }).from(deliveries);
    expect(row!.count).toBe(2000);

    const claimed: number[] = [];
    await Promise.all(
      all.map(async ({ store }) => {
        for (;;) {
          const batch = await store.claimDue({ now: NOW, leaseMs: 30_000, limit: 8 });
          if (batch.length === 0) return;
          claimed.push(...batch.map(({ delivery }) => delivery.id));
          for (const claim of batch) await store.finish(claim, { status: "delivered", at: new Date(NOW) });
        }
      }),
    );
    expect(claimed).toHaveLength(2000);
    expect(new Set(claimed).size).toBe(2000);
  });

  it("does not pass an event whose transaction commits after a later one", async () => {
    const [a, b] = await replicas(2);
    await a!.store.createChannel(channelRow("c1"));
    await a!.releases.insert(newRelease("a"), [], { teamId: TEAM });
    await a!.releases.insert(newRelease("b"), [], { teamId: TEAM });

    let inserted!: () => void;
    let commit!: () => void;
    const insertedSignal = new Promise<void>((resolve) => (inserted = resolve));
    const commitSignal = new Promise<void>((resolve) => (commit = resolve));
    const slow = a!.db.transaction(async (tx) => {
      await tx.insert(events).values({ releaseId: "id-a", at: new Date(NOW), type: "resumed", actor: "glidepath", data: {} });
      inserted();
      await commitSignal;
    });
    await insertedSignal;
    await b!.db.insert(events).values({ releaseId: "id-b", at: new Date(NOW), type: "resumed", actor: "glidepath", data: {} });

    const feed = () => b!.store.feed({ now: NOW, limit: 100, gapGraceMs: GRACE_MS, plan: everything });
    expect(await feed()).toMatchObject({ read: 1, enqueued: 1, cursor: 0 });
    commit();
    await slow;
    expect(await feed()).toMatchObject({ read: 2, enqueued: 1, cursor: 2 });
    const rows = await b!.store.deliveries("c1", { limit: 10 });
    expect(rows.map((row) => row.releaseId).sort()).toEqual(["id-a", "id-b"]);
  });
});
