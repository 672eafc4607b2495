import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_TOKEN, startTestServer, type TestServer } from "../src/server/test-support.js";
import { jsonLines, runCli } from "./support/cli.js";

const CAREFUL = `name: careful
stages:
  - { percent: 5, soak: 15m }
  - { percent: 50, soak: 15m, progression: manual }
  - { percent: 100 }
slos:
  - { sli: error_rate, max: 0.05 }
`;

const QUICK = `{"name": "quick", "stages": [{"percent": 10, "soak": "1m"}, {"percent": 100}]}`;

/** `glidepath plan` against a real server: files in, the team's plans out, nothing sent twice. */
describe("glidepath plan apply and lint", () => {
  let server: TestServer;
  let dir: string;
  const file = async (name: string, text: string) => {
    const path = join(dir, name);
    await writeFile(path, text);
    return path;
  };
  const glidepath = (...args: string[]) =>
    runCli(args, { GLIDEPATH_SERVER: server.url, GLIDEPATH_TOKEN: ADMIN_TOKEN, XDG_CONFIG_HOME: join(dir, "config") });
  const revisionOf = async (name: string) => ((await (await server.api(`/api/v1/teams/default/plans/${name}`)).json()) as { revision: number }).revision;

  beforeAll(async () => {
    [server, dir] = await Promise.all([startTestServer(), mkdtemp(join(tmpdir(), "glidepath-plans-"))]);
  });
  afterAll(async () => {
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("lints plan files with the API's own messages, naming the file and the field", async () => {
    const good = await file("careful.yaml", CAREFUL);
    const bad = await file("bad.yaml", "name: bad\nstages:\n  - { percent: 50 }\n  - { percent: 20 }\n  - { percent: 100, sok: 1m }\n");

    const passing = await glidepath("plan", "lint", good);
    expect(passing.code).toBe(0);
    expect(passing.stdout).toEqual([`ok ${good}: plan careful`]);

    const failing = await glidepath("plan", "lint", good, bad);
    expect(failing.code).toBe(2);
    expect(failing.stderr).toContain(`invalid ${bad}`);
    expect(failing.stderr).toContain("stages[1].percent: must be greater than the previous stage's 50; percents increase strictly");
    expect(failing.stderr).toContain("stages[2].sok: unknown field");
  });

  it("creates the plans, then a second run changes nothing and says so", async () => {
    const files = [await file("careful.yaml", CAREFUL), await file("quick.json", QUICK)];

    const first = await glidepath("plan", "apply", "-f", ...files);
    expect(first.code).toBe(0);
    expect(first.stdout.filter((line) => /^[+~=-] /.test(line))).toEqual([`+ careful: created (${files[0]})`, `+ quick: created (${files[1]})`]);
    expect(first.stdout.at(-1)).toBe("applied: 2 created, 0 updated, 0 deleted, 0 unchanged");

    const second = await glidepath("plan", "apply", "-f", ...files);
    expect(second.code).toBe(0);
    expect(second.stdout.at(-1)).toBe("nothing to change: the team's plans match the 2 files");
    expect(await revisionOf("careful")).toBe(1);
    expect(await revisionOf("quick")).toBe(1);
  });

  it("reads 900 seconds and 15m as the same plan", async () => {
    const same = await file("careful.yaml", CAREFUL.replaceAll("soak: 15m", "soak: 900"));
    expect((await glidepath("plan", "apply", "-f", same)).stdout.at(-1)).toBe("nothing to change: the team's plans match the 1 file");
  });

  it("shows the diff of a changed plan on a dry run without applying it, then applies it", async () => {
    const changed = await file("careful.yaml", CAREFUL.replace("{ percent: 5, soak: 15m }", "{ percent: 5, soak: 20m }"));

    const dryRun = await glidepath("plan", "apply", "--dry-run", "-f", changed);
    expect(dryRun.code).toBe(0);
    expect(dryRun.stdout).toContain(`~ careful: would update (${changed})`);
    expect(dryRun.stdout.map((line) => line.trim())).toEqual(expect.arrayContaining(["-    soak: 15m", "+    soak: 20m"]));
    expect(dryRun.stdout.at(-1)).toBe("dry run, nothing applied: 0 to create, 1 to update, 0 to delete, 0 unchanged");
    expect(await revisionOf("careful")).toBe(1);

    const applied = await glidepath("plan", "apply", "-f", changed, "--json");
    expect(applied.code).toBe(0);
    expect(jsonLines(applied.stdout)[0]).toMatchObject({ dryRun: false, changes: [{ action: "update", plan: "careful", revision: 2 }] });
    expect(await revisionOf("careful")).toBe(2);
  });

  it("with --prune deletes the team's plans that no file names", async () => {
    const careful = await file("careful.yaml", CAREFUL.replace("soak: 15m }", "soak: 20m }"));
    const pruned = await glidepath("plan", "apply", "--prune", "-f", careful);
    expect(pruned.code).toBe(0);
    expect(pruned.stdout).toContain("- quick: deleted (no file names it)");
    expect((await server.api("/api/v1/teams/default/plans/quick")).status).toBe(404);
  });

  it("sends nothing when any file is invalid or takes a built-in plan's name", async () => {
    const builtIn = await file("standard.yaml", "name: standard\nstages: [{ percent: 100 }]\n");
    const fresh = await file("fresh.yaml", "name: fresh\nstages: [{ percent: 100 }]\n");

    const refused = await glidepath("plan", "apply", "-f", fresh, builtIn);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("name: standard is a built-in plan and cannot be changed; save yours under another name");
    expect(refused.stderr).toContain("nothing was applied: 1 of 2 plan files is invalid");
    expect((await server.api("/api/v1/teams/default/plans/fresh")).status).toBe(404);
  });
});
