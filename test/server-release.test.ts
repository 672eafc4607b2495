import { createServer, type IncomingHttpHeaders } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifySignature } from "../src/notify/signature.js";
import { proxyWithTwoVersions, stopEverything, type TestProxy } from "../src/platforms/local/test-harness.js";
import { readEvents } from "../src/server/sse.test-support.js";
import { startTestServer, type TestServer } from "../src/server/test-support.js";
import { closeServer, listen } from "../src/support/listen.js";

interface Delivery {
  headers: IncomingHttpHeaders;
  body: string;
  json: { kind: string; title: string; release: { id: string } | null; event: { type: string } | null };
}

/** A webhook receiver on loopback that records what it is sent. */
async function startReceiver() {
  const deliveries: Delivery[] = [];
  const waiters: { kind: string; resolve: () => void }[] = [];
  const server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString()));
    request.on("end", () => {
      const delivery = { headers: request.headers, body, json: JSON.parse(body) as Delivery["json"] };
      deliveries.push(delivery);
      response.writeHead(204).end();
      for (const waiter of waiters.filter((w) => w.kind === delivery.json.kind)) waiter.resolve();
    });
  });
  const { port } = await listen(server, { host: "127.0.0.1", port: 0 });
  return {
    url: `http://127.0.0.1:${port}/hook`,
    deliveries,
    received: (kind: string) =>
      deliveries.some((d) => d.json.kind === kind) ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ kind, resolve })),
    close: () => closeServer(server),
  };
}

const QUICK_PLAN = {
  name: "quick",
  stages: [{ percent: 50, soak: "2s" }, { percent: 100 }],
  slos: [{ sli: "error_rate", max: 0.05 }],
  policy: { checkInterval: "1s", minRequests: 20, failureThreshold: 2 },
};

describe("a release driven through the API", () => {
  let server: TestServer;
  let proxy: TestProxy;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  const base = () => `/api/v1/teams/${server.team}`;

  beforeAll(async () => {
    server = await startTestServer();
    proxy = await proxyWithTwoVersions();
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await server.close();
    await receiver.close();
    await stopEverything();
  });

  it("tells the same story in the detail, the live stream, the audit log and the notifications", async () => {
    const setup = [
      server.api(`${base()}/connections`, { json: { name: "proxy", platform: "local", adminUrl: proxy.adminUrl } }),
      server.api(`${base()}/plans`, { json: QUICK_PLAN }),
      server.api(`${base()}/channels`, { json: { name: "ops", type: "webhook", url: receiver.url, secret: "hook-secret" } }),
    ];
    for (const response of await Promise.all(setup)) expect(response.status, await response.clone().text()).toBe(201);
    const target = await server.api(`${base()}/targets`, { json: { name: "shop", connection: "proxy", settings: {}, defaultPlan: "quick" } });
    expect(target.status, await target.clone().text()).toBe(201);

    const request = { target: "shop", candidate: "v2", autoStart: true };
    const headers = { "Idempotency-Key": "deploy-42" };
    const created = await server.api(`${base()}/releases`, { json: request, headers });
    expect(created.status, await created.clone().text()).toBe(201);
    const release = (await created.json()) as { id: string; stable: string; plan: string };
    expect(release).toMatchObject({ stable: "v1", plan: "quick" });
    const replayed = await server.api(`${base()}/releases`, { json: request, headers });
    expect(replayed.status).toBe(201);
    expect(replayed.headers.get("idempotent-replayed")).toBe("true");
    expect(((await replayed.json()) as { id: string }).id).toBe(release.id);

    const stream = await server.api(`${base()}/releases/${release.id}/events`);
    expect(stream.headers.get("content-type")).toContain("text/event-stream");
    let settled = false;
    const traffic = (async () => {
      while (!settled) await (await fetch(proxy.proxyUrl)).text();
    })();
    const streamed = await readEvents(stream, (event) => event.event === "end");
    settled = true;
    await traffic;

    const detail = (await (await server.api(`${base()}/releases/${release.id}`)).json()) as {
      state: string;
      events: { id: number; type: string }[];
      checks: { verdict: string; samples: { candidate: unknown } }[];
      stages: { status: string }[];
      series: { stable: unknown[]; candidate: unknown[] };
    };
    expect(detail.state).toBe("succeeded");
    expect(detail.stages.map((stage) => stage.status)).toEqual(["done", "done"]);
    expect(detail.checks.some((check) => check.verdict === "pass")).toBe(true);
    const measured = detail.checks.filter((check) => check.samples.candidate !== null);
    expect(measured.length).toBeGreaterThan(0);
    expect(detail.series.candidate.length).toBe(measured.length);

    const streamedEvents = streamed.filter((event) => event.id !== undefined);
    expect(streamedEvents.map((event) => [Number(event.id), event.event])).toEqual(detail.events.map((event) => [event.id, event.type]));
    expect(detail.events.map((event) => event.type)).toEqual(
      expect.arrayContaining(["release_created", "release_started", "stage_started", "check_completed", "promoted"]),
    );

    const resumed = await readEvents(
      await server.api(`${base()}/releases/${release.id}/events`, { headers: { "Last-Event-ID": String(detail.events.at(-2)!.id) } }),
    );
    expect(resumed.filter((event) => event.id !== undefined).map((event) => Number(event.id))).toEqual([detail.events.at(-1)!.id]);

    const audit = (await (await server.api(`${base()}/audit?objectId=${release.id}`)).json()) as { entries: { action: string; actor: string }[] };
    expect(audit.entries.map((entry) => entry.action)).toEqual(["release.create"]);
    expect(audit.entries[0]!.actor).toBe("token bootstrap");

    await receiver.received("succeeded");
    const kinds = receiver.deliveries.map((delivery) => delivery.json.kind);
    expect(kinds).toEqual(expect.arrayContaining(["release_created", "release_started", "stage_progressed", "succeeded"]));
    for (const delivery of receiver.deliveries) {
      expect(delivery.json.release?.id).toBe(release.id);
      expect(verifySignature("hook-secret", delivery.headers, delivery.body, Date.now())).toEqual({ ok: true });
    }
  });
});
