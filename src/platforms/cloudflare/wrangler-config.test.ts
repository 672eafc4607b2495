import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { readWorkerName } from "./wrangler-config.js";

const directories: string[] = [];
afterEach(() => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

function projectWith(files: Record<string, string>): string {
  const directory = mkdtempSync(join(tmpdir(), "glidepath-wrangler-"));
  directories.push(directory);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(directory, name), text);
  return directory;
}

describe("readWorkerName", () => {
  it("reads the name from wrangler.toml", () => {
    expect(readWorkerName(projectWith({ "wrangler.toml": 'name = "shop"\nmain = "src/index.ts"\n[vars]\nname = "not this"\n' }))).toBe("shop");
  });

  it("reads the name from wrangler.json and from wrangler.jsonc with comments and trailing commas", () => {
    expect(readWorkerName(projectWith({ "wrangler.json": '{"name": "shop-json"}' }))).toBe("shop-json");
    const jsonc = '{\n  // the storefront\n  "name": "shop-jsonc", /* main */ "main": "src/index.ts",\n}\n';
    expect(readWorkerName(projectWith({ "wrangler.jsonc": jsonc }))).toBe("shop-jsonc");
  });

  it("prefers wrangler.json over wrangler.toml, as wrangler does", () => {
    expect(readWorkerName(projectWith({ "wrangler.toml": 'name = "from-toml"', "wrangler.json": '{"name": "from-json"}' }))).toBe("from-json");
  });

  it("says when there is no configuration", () => {
    const directory = projectWith({});
    expect(readWorkerName(directory)).toEqual(new Error(`there is no wrangler.json, wrangler.jsonc, wrangler.toml in ${directory} to read the Worker's name from`));
  });

  it("says when the configuration has no name", () => {
    const directory = projectWith({ "wrangler.toml": 'main = "src/index.ts"\n' });
    expect(readWorkerName(directory)).toEqual(new Error(`${join(directory, "wrangler.toml")} has no \`name\` for the Worker`));
  });

  it("says where a configuration is broken", () => {
    const json = projectWith({ "wrangler.jsonc": '{\n  "name": "shop"\n  "main": "x"\n}' });
    expect(readWorkerName(json)).toEqual(new Error(`${join(json, "wrangler.jsonc")} cannot be read: not valid JSON: CommaExpected on line 3`));
    const toml = projectWith({ "wrangler.toml": "name = \n" });
    expect((readWorkerName(toml) as Error).message).toMatch(new RegExp(`^${join(toml, "wrangler.toml")} cannot be read: `));
  });
});
