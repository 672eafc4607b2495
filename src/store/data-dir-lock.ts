import { openSync, readFileSync, rmSync, writeSync, closeSync, mkdirSync } from "node:fs";
import { join } from "node:path";

/**
 * Embedded PostgreSQL must have one process per data directory. The lock file holds the owner's
 * pid; a lock left by a process that died (a crash, SIGKILL) is taken over.
 */
export function lockDataDir(dataDir: string): { release(): void } | Error {
  const made = makeDirectory(dataDir);
  if (made instanceof Error) return made;
  const path = join(dataDir, "glidepath.lock");
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, "wx", 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return { release: () => rmSync(path, { force: true }) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const owner = Number(readFileSync(path, "utf8"));
      if (Number.isInteger(owner) && owner > 0 && isAlive(owner)) {
        return new Error(`${dataDir} is in use by a glidepath process (pid ${owner}); stop it or use another --data-dir`);
      }
      rmSync(path, { force: true });
    }
  }
  return new Error(`could not lock ${dataDir}; remove ${path} if no glidepath process is running`);
}

function makeDirectory(dataDir: string): Error | undefined {
  try {
    mkdirSync(dataDir, { recursive: true });
    return undefined;
  } catch (error) {
    const { code } = error as NodeJS.ErrnoException;
    if (code === "EEXIST" || code === "ENOTDIR") return new Error(`${dataDir} is a file, not a directory; use another --data-dir`);
    if (code === "EACCES" || code === "EPERM" || code === "EROFS") return new Error(`cannot create or write ${dataDir} (${code}); use another --data-dir`);
    throw error;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
