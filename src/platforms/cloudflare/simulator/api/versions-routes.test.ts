import { describe, expect, it } from "vitest";
import { ACCOUNT_ID, SCRIPT, scriptPath, startFixture, type VersionItem } from "../test-harness.js";

describe("versions", () => {
  it("lists every version newest first through the SDK's pagination, which ends", async () => {
    const { sim, client, versionIds } = await startFixture();
    for (let i = 0; i < 24; i++) versionIds.push(sim.control.addVersion(SCRIPT, { message: `v${i + 2}` }).id);

    const seen: string[] = [];
    for await (const version of client.workers.scripts.versions.list(SCRIPT, { account_id: ACCOUNT_ID, per_page: 10 })) seen.push(version.id!);

    expect(seen).toEqual([...versionIds].reverse());
  });

  it("answers an item in Cloudflare's shape, annotations beside metadata", async () => {
    const { apiJson, versionIds } = await startFixture({}, { versions: [{ message: "first" }] });
    const body = await apiJson<VersionItem>(scriptPath(`/versions/${versionIds[0]}`));

    expect(body).toMatchObject({ success: true, errors: [], messages: [] });
    expect(body.result).toEqual({
      id: versionIds[0],
      number: 1,
      metadata: {
        created_on: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/),
        modified_on: expect.any(String),
        source: "wrangler",
        author_id: expect.any(String),
        author_email: expect.any(String),
        hasPreview: false,
      },
      annotations: { "workers/triggered_by": "upload", "workers/message": "first" },
    });
  });

  it("pages with result_info and answers empty items past the end", async () => {
    const { sim, apiJson } = await startFixture();
    for (let i = 0; i < 4; i++) sim.control.addVersion(SCRIPT);

    const second = await apiJson<{ items: VersionItem[] }>(scriptPath("/versions?page=2&per_page=2"));
    expect(second.result.items.map((item) => item.number)).toEqual([3, 2]);
    expect(second.result_info).toEqual({ page: 2, per_page: 2, count: 2, total_count: 5, total_pages: 3 });

    const past = await apiJson<{ items: VersionItem[] }>(scriptPath("/versions?page=9&per_page=2"));
    expect(past.result.items).toEqual([]);
  });

  it("with deployable=true answers the newest 100 and ignores paging", async () => {
    const { sim, apiJson } = await startFixture();
    for (let i = 0; i < 104; i++) sim.control.addVersion(SCRIPT);

    const body = await apiJson<{ items: VersionItem[] }>(scriptPath("/versions?deployable=true&page=3&per_page=5"));
    const numbers = body.result.items.map((item) => item.number);
    expect(numbers).toHaveLength(100);
    expect(numbers[0]).toBe(105);
    expect(numbers.at(-1)).toBe(6);
  });

  it("gets one version through the SDK", async () => {
    const { client, versionIds } = await startFixture();
    const version = await client.workers.scripts.versions.get(versionIds[0]!, { account_id: ACCOUNT_ID, script_name: SCRIPT });
    expect(version.id).toBe(versionIds[0]);
  });
});
