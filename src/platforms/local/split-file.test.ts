import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { SplitState } from "./admin-contract.js";
import { loadSplitFile, saveSplitFile } from "./split-file.js";
import { removeTemporaryDirectories, temporaryDirectory } from "./test-harness.js";

const STATE: SplitState = {
  split: [
    { version: "v1", percent: 80 },
    { version: "v2", percent: 20 },
  ],
  updatedAt: "2025-01-01T00:00:00.000Z",
  note: "stage 2",
};

afterEach(removeTemporaryDirectories);

describe("split file", () => {
  it("saves and loads a split, creating the directory when it is missing", async () => {
    const path = join(await temporaryDirectory(), "nested", "dir", "proxy-split.json");
    await saveSplitFile(path, STATE);
    expect(await loadSplitFile(path)).toEqual(STATE);
    expect(JSON.parse(await readFile(path, "utf8"))).toEqual(STATE);
  });

  it("replaces the previous split and leaves no temporary file behind", async () => {
    const directory = await temporaryDirectory();
    const path = join(directory, "proxy-split.json");
    await saveSplitFile(path, STATE);
    await saveSplitFile(path, { ...STATE, split: [{ version: "v2", percent: 100 }] });
    expect((await loadSplitFile(path))?.split).toEqual([{ version: "v2", percent: 100 }]);
    expect(await readdir(directory)).toEqual(["proxy-split.json"]);
  });

  it("loads nothing when there is no file", async () => {
    expect(await loadSplitFile(join(await temporaryDirectory(), "absent.json"))).toBeUndefined();
  });

  it("says how to recover from a file that is not JSON or not a split", async () => {
    const directory = await temporaryDirectory();
    const garbled = join(directory, "garbled.json");
    await writeFile(garbled, "{not json");
    await expect(loadSplitFile(garbled)).rejects.toThrow(/garbled\.json is not JSON .*; fix it or remove it to start over/);

    const wrongShape = join(directory, "wrong.json");
    await writeFile(wrongShape, JSON.stringify({ split: "v1=100" }));
    await expect(loadSplitFile(wrongShape)).rejects.toThrow(/wrong\.json is not a proxy split file .*; fix it or remove it to start over/);
  });
});
