import Cloudflare from "cloudflare";
import { describe, expect, it } from "vitest";
import { ACCOUNT_ID, SCRIPT, scriptPath, startFixture } from "../test-harness.js";

describe("deployments", () => {
  it("creates a split through the SDK and lists it first, as the one serving traffic", async () => {
    const { sim, client, versionIds } = await startFixture();
    const candidate = sim.control.addVersion(SCRIPT).id;

    const created = await client.workers.scripts.deployments.create(SCRIPT, {
      account_id: ACCOUNT_ID,
      strategy: "percentage",
      versions: [
        { version_id: versionIds[0]!, percentage: 90 },
        { version_id: candidate, percentage: 10 },
      ],
      annotations: { "workers/message": "glidepath: 10%" },
    });
    expect(created).toMatchObject({
      source: "api",
      strategy: "percentage",
      versions: [
        { version_id: versionIds[0], percentage: 90 },
        { version_id: candidate, percentage: 10 },
      ],
      annotations: { "workers/message": "glidepath: 10%" },
    });

    // The SDK types this list as pages of items, but the API answers `result: {deployments}`, as here.
    const page = await client.workers.scripts.deployments.list(SCRIPT, { account_id: ACCOUNT_ID });
    const { deployments } = page.result as unknown as { deployments: { id: string; source: string }[] };
    expect(deployments.map(({ id }) => id)).toEqual([created.id, sim.control.deploymentHistory(SCRIPT)[0]!.id]);
    expect(deployments[1]!.source).toBe("wrangler");

    const fetched = await client.workers.scripts.deployments.get(created.id, { account_id: ACCOUNT_ID, script_name: SCRIPT });
    expect(fetched).toEqual(created);
  });

  it("accepts a version at 0% and a total within 0.001 of 100", async () => {
    const { sim, api, versionIds } = await startFixture();
    const candidate = sim.control.addVersion(SCRIPT).id;
    for (const [stable, next] of [
      [100, 0],
      [66.667, 33.334],
    ]) {
      const response = await api(scriptPath("/deployments"), {
        method: "POST",
        body: JSON.stringify({
          strategy: "percentage",
          versions: [
            { version_id: versionIds[0], percentage: stable },
            { version_id: candidate, percentage: next },
          ],
        }),
      });
      expect(response.status).toBe(200);
    }
  });

  it("records hand deployments in the history, oldest first, with their splits", async () => {
    const { sim, versionIds } = await startFixture();
    const candidate = sim.control.addVersion(SCRIPT).id;
    sim.control.deployByHand(SCRIPT, [{ version_id: candidate, percentage: 100 }], "hotfix");

    const history = sim.control.deploymentHistory(SCRIPT);
    expect(history.map(({ split, source }) => ({ split, source }))).toEqual([
      { split: [{ version_id: versionIds[0], percentage: 100 }], source: "wrangler" },
      { split: [{ version_id: candidate, percentage: 100 }], source: "wrangler" },
    ]);
    expect(history[1]!.message).toBe("hotfix");
  });

  it("refuses a hand deployment the API would refuse", async () => {
    const { sim, versionIds } = await startFixture();
    expect(() => sim.control.deployByHand(SCRIPT, [{ version_id: versionIds[0]!, percentage: 50 }])).toThrow(/total 100/);
  });

  it("the SDK raises a BadRequestError for a refused deployment", async () => {
    const { client, versionIds } = await startFixture();
    await expect(
      client.workers.scripts.deployments.create(SCRIPT, {
        account_id: ACCOUNT_ID,
        strategy: "percentage",
        versions: [{ version_id: versionIds[0]!, percentage: 99 }],
      }),
    ).rejects.toBeInstanceOf(Cloudflare.BadRequestError);
  });
});
