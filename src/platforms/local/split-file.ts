import { randomUUID } from "node:crypto";
import { mkdir, open, readFile, rename, rm } from "node:fs/promises";
import { dirname } from "node:path";
import { type SplitState, splitStateSchema } from "./admin-contract.js";

/** The split saved at `path`, or undefined when there is no such file. */
export async function loadSplitFile(path: string): Promise<SplitState | undefined> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`${path} is not JSON (${(error as Error).message}); fix it or remove it to start over`);
  }
  const result = splitStateSchema.safeParse(parsed);
  if (!result.success) {
    throw new Error(`${path} is not a proxy split file (${result.error.issues[0]?.message}); fix it or remove it to start over`);
  }
  return result.data;
}

/**
 * Saves the split so that a crash leaves either the old file or the new one, never a torn one:
 * write a temporary file beside it, flush it to disk, then rename it over the old file.
 */
export async function saveSplitFile(path: string, state: SplitState): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporaryPath = `${path}.${randomUUID()}.tmp`;
  try {
    const file = await open(temporaryPath, "w");
    try {
      await file.writeFile(`${JSON.stringify(state, null, 2)}\n`);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temporaryPath, path);
  } catch (error) {
    await rm(temporaryPath, { force: true });
    throw error;
  }
}
