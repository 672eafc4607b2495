import { chmod, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { UsageError } from "../exit-codes.js";

/** What `glidepath login` keeps: where the server is, the API token, and the token's team. */
export interface StoredLogin {
  server: string;
  token: string;
  team?: string;
}

/** `$XDG_CONFIG_HOME/glidepath/config.json`, or `~/.config/glidepath/config.json`. */
export function configPath(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME || join(homedir(), ".config");
  return join(base, "glidepath", "config.json");
}

export async function readStoredLogin(path = configPath()): Promise<StoredLogin | undefined> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  const stored = parseLogin(text);
  if (!stored) throw new UsageError(`${path} is not a glidepath login; run glidepath logout, then glidepath login --server URL`);
  return stored;
}

/** Writes the login readable by its owner only: the file holds a secret. */
export async function saveLogin(login: StoredLogin, path = configPath()): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await chmod(dirname(path), 0o700);
  await writeFile(path, `${JSON.stringify(login, null, 2)}\n`, { mode: 0o600 });
  // writeFile's mode applies only when it creates the file; an older file keeps its own.
  await chmod(path, 0o600);
}

/** Deletes the stored login; false when there was none. */
export async function removeLogin(path = configPath()): Promise<boolean> {
  try {
    await rm(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw error;
  }
}

function parseLogin(text: string): StoredLogin | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const { server, token, team } = value as Record<string, unknown>;
  if (typeof server !== "string" || typeof token !== "string") return undefined;
  return { server, token, ...(typeof team === "string" && { team }) };
}
