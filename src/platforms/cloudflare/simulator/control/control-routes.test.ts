import { describe, expect, it } from "vitest";
import { ACCOUNT_ID, SCRIPT, scriptPath, startFixture, virtualClock } from "../test-harness.js";

async function control(base: string, method: string, path: string, body?: unknown) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
}

describe("control API", () => {
  it("creates a script whose first version serves 100%, adds versions and deploys by hand", async () => {
    const { sim, api } = await startFixture();
    const base = sim.controlUrl;
    const created = await control(base, "POST", "/scripts", { accountId: ACCOUNT_ID, script: "cart", rps: 50, versions: [{ message: "first" }] });
    expect(created.status).toBe(201);
    const [first] = created.body!.versionIds as string[];

    const added = await control(base, "POST", "/scripts/cart/versions", { behaviour: { errorRate: 0.5 }, message: "second" });
    expect(added).toMatchObject({ status: 201, body: { number: 2 } });
    const second = added.body!.id as string;

    const listed = (await (await api(`/accounts/${ACCOUNT_ID}/workers/scripts/cart/versions`)).json()) as { result: { items: { id: string }[] } };
    expect(listed.result.items.map(({ id }) => id)).toEqual([second, first]);

    const deployed = await control(base, "POST", "/scripts/cart/deployments", {
      versions: [
        { version_id: first, percentage: 60 },
        { version_id: second, percentage: 40 },
      ],
      message: "by hand",
    });
    expect(deployed).toMatchObject({ status: 201, body: { source: "wrangler", message: "by hand" } });

    const history = await control(base, "GET", "/scripts/cart/deployments/history");
    expect((history.body!.deployments as { split: unknown }[]).map(({ split }) => split)).toEqual([
      [{ version_id: first, percentage: 100 }],
      [
        { version_id: first, percentage: 60 },
        { version_id: second, percentage: 40 },
      ],
    ]);
  });

  it("changes a behaviour and the rps, shows them, and sets lag and sampling", async () => {
    const { sim, versionIds } = await startFixture();
    const base = sim.controlUrl;
    const changed = await control(base, "PATCH", `/scripts/${SCRIPT}/versions/${versionIds[0]}/behaviour`, { latencyMs: { p99: 900 } });
    expect(changed).toMatchObject({ status: 200, body: { latencyMs: { p50: 20, p99: 900 } } });
    expect(await control(base, "PUT", `/scripts/${SCRIPT}/rps`, { rps: 300 })).toEqual({ status: 200, body: { rps: 300 } });
    expect(await control(base, "GET", `/scripts/${SCRIPT}`)).toMatchObject({
      status: 200,
      body: {
        accountId: ACCOUNT_ID,
        script: SCRIPT,
        rps: 300,
        versions: [{ id: versionIds[0], number: 1, behaviour: { latencyMs: { p99: 900 } } }],
        liveSplit: [{ version_id: versionIds[0], percentage: 100 }],
      },
    });
    expect(await control(base, "PUT", "/metrics-delivery", { lagSeconds: 90 })).toEqual({ status: 200, body: { lagSeconds: 90, sampleInterval: 1 } });
  });

  it("takes per-outcome rates when creating a script's versions and when changing a behaviour", async () => {
    const { sim } = await startFixture();
    const base = sim.controlUrl;
    const created = await control(base, "POST", "/scripts", {
      accountId: ACCOUNT_ID,
      script: "cart",
      versions: [{ behaviour: { outcomeRates: { responseStreamDisconnected: 0.05 } } }],
    });
    const [version] = created.body!.versionIds as string[];
    const changed = await control(base, "PATCH", `/scripts/cart/versions/${version}/behaviour`, { outcomeRates: { exceededMemory: 0.01 } });
    expect(changed).toMatchObject({ status: 200, body: { outcomeRates: { responseStreamDisconnected: 0.05, exceededMemory: 0.01 } } });
    expect(await control(base, "GET", "/scripts/cart")).toMatchObject({
      body: { versions: [{ behaviour: { outcomeRates: { responseStreamDisconnected: 0.05, exceededMemory: 0.01 } } }] },
    });
  });

  it.each([
    [{ outcomeRates: { streamHiccup: 0.1 } }, /^outcomeRates has no outcome named streamHiccup; the outcomes it takes are canceled, responseStreamDisconnected, /],
    [{ outcomeRates: { loadShed: 2 } }, /^outcomeRates.loadShed must be between 0 and 1, got 2$/],
    [{ outcomeRates: { loadShed: 0.6, unknown: 0.6 } }, /^errorRate, clientDisconnectRate and outcomeRates add up to 1.2/],
    [{ outcomeRates: { loadShed: "often" } }, /^invalid body: outcomeRates.loadShed: /],
  ])("refuses the behaviour %j with 400 and says why", async (change, message) => {
    const { sim, versionIds } = await startFixture();
    const refused = await control(sim.controlUrl, "PATCH", `/scripts/${SCRIPT}/versions/${versionIds[0]}/behaviour`, change);
    expect(refused).toEqual({ status: 400, body: { error: { message: expect.stringMatching(message) } } });
  });

  it("refuses a new version with an unknown outcome, naming it", async () => {
    const { sim } = await startFixture();
    expect(await control(sim.controlUrl, "POST", "/scripts", { script: "other", versions: [{ behaviour: { outcomeRates: { streamHiccup: 0.1 } } }] })).toEqual({
      status: 400,
      body: { error: { message: expect.stringMatching(/^outcomeRates has no outcome named streamHiccup;/) } },
    });
    expect(await control(sim.controlUrl, "POST", `/scripts/${SCRIPT}/versions`, { behaviour: { outcomeRates: { streamHiccup: 0.1 } } })).toMatchObject({
      status: 400,
    });
  });

  it("injects faults and API latency, and clears them", async () => {
    const { sim, api } = await startFixture();
    const base = sim.controlUrl;
    expect((await control(base, "POST", "/faults", { status: 500, count: 1 })).status).toBe(204);
    expect((await api(scriptPath("/versions"))).status).toBe(500);
    expect((await control(base, "POST", "/faults", { status: 429, count: 5, retryAfterSeconds: 2 })).status).toBe(204);
    expect((await control(base, "DELETE", "/faults")).status).toBe(204);
    expect((await api(scriptPath("/versions"))).status).toBe(200);

    expect((await control(base, "PUT", "/api-latency", { ms: 50 })).status).toBe(204);
    const started = performance.now();
    await api(scriptPath("/versions"));
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
  });

  it("says what is wrong with a bad request or an unknown script", async () => {
    const { sim } = await startFixture();
    const base = sim.controlUrl;
    expect(await control(base, "PUT", "/scripts/nope/rps", { rps: 1 })).toEqual({
      status: 404,
      body: { error: { message: expect.stringMatching(/no script named nope/) } },
    });
    expect(await control(base, "PUT", `/scripts/${SCRIPT}/rps`, { rps: "many" })).toMatchObject({ status: 400 });
    expect(await control(base, "POST", "/faults", { status: 418, count: 1 })).toMatchObject({ status: 400 });
    expect(await control(base, "PATCH", `/scripts/${SCRIPT}/versions/${"0".repeat(8)}/behaviour`, { errorRate: 0.1 })).toMatchObject({ status: 404 });
    expect(await control(base, "POST", `/scripts/${SCRIPT}/versions`, { behaviour: { errorRate: 2 } })).toMatchObject({
      status: 400,
      body: { error: { message: expect.stringMatching(/errorRate must be between 0 and 1/) } },
    });
  });
});

describe("worker probe endpoint", () => {
  it("answers as the overridden version, 500 when it fails, and counts in the metrics", async () => {
    const clock = virtualClock();
    const { sim, client, versionIds } = await startFixture({ clock, seed: 1 });
    const candidate = sim.control.addVersion(SCRIPT, { behaviour: { errorRate: 1 } }).id;
    sim.control.deployByHand(SCRIPT, [
      { version_id: versionIds[0]!, percentage: 100 },
      { version_id: candidate, percentage: 0 },
    ]);
    const probedAt = clock.now();

    const probe = await fetch(`${sim.controlUrl}/workers/${SCRIPT}/health`, { headers: { "cloudflare-workers-version-overrides": `${SCRIPT}="${candidate}"` } });
    expect(probe.status).toBe(500);
    expect(probe.headers.get("cf-version-id")).toBe(candidate);
    const plain = await fetch(`${sim.controlUrl}/workers/${SCRIPT}/`);
    expect(plain.headers.get("cf-version-id")).toBe(versionIds[0]);

    clock.advanceSeconds(1);
    const answer = await client.workers.observability.telemetry.query({
      account_id: ACCOUNT_ID,
      queryId: "probe",
      timeframe: { from: probedAt - 1000, to: probedAt + 1000 },
      view: "calculations",
      parameters: { calculations: [{ operator: "count" }], groupBys: [{ type: "string", value: "$workers.scriptVersion.id" }] },
    });
    const counts = answer.calculations![0]!.aggregates.map(({ value, groups }) => [String(groups![0]!.value), value] as const);
    expect(new Map(counts)).toEqual(
      new Map([
        [candidate, 1],
        [versionIds[0]!, 1],
      ]),
    );
  });

  it.each([
    ["loadShed", 500],
    ["exceededMemory", 500],
    ["responseStreamDisconnected", 200],
    ["canceled", 200],
  ] as const)("answers outcome %s with HTTP %i", async (outcome, status) => {
    const { sim } = await startFixture();
    const version = sim.control.addVersion(SCRIPT, { behaviour: { errorRate: 0, clientDisconnectRate: 0, outcomeRates: { [outcome]: 1 } } }).id;
    sim.control.deployByHand(SCRIPT, [{ version_id: version, percentage: 100 }]);
    const probe = await fetch(`${sim.controlUrl}/workers/${SCRIPT}/`);
    expect(probe.status).toBe(status);
    expect(await probe.json()).toMatchObject({ version, outcome });
  });

  it("answers 404 for a script that does not exist", async () => {
    const { sim } = await startFixture();
    const response = await fetch(`${sim.controlUrl}/workers/nope/`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: { message: expect.stringMatching(/no script named nope/) } });
  });

  it("keeps a version key on the same version", async () => {
    const { sim, versionIds } = await startFixture();
    const candidate = sim.control.addVersion(SCRIPT).id;
    sim.control.deployByHand(SCRIPT, [
      { version_id: versionIds[0]!, percentage: 50 },
      { version_id: candidate, percentage: 50 },
    ]);
    const versionFor = async () =>
      (await fetch(`${sim.controlUrl}/workers/${SCRIPT}/`, { headers: { "cloudflare-workers-version-key": "user-17" } })).headers.get("cf-version-id");
    const first = await versionFor();
    for (let i = 0; i < 10; i++) expect(await versionFor()).toBe(first);
  });
});
