import { closeSync, openSync, readSync } from "node:fs";
import { PLAN_LIMITS } from "../../core/plan-limits.js";

/**
 * A plan file's text, read no further than one byte past the most a plan may be: the plan parser
 * refuses it then, and a 50 MB file or an endless pipe costs no more to refuse than a plan.
 * Throws what reading throws (ENOENT, EISDIR, ...).
 */
export function readPlanFile(path: string): string {
  const buffer = Buffer.alloc(PLAN_LIMITS.textBytes + 1);
  const file = openSync(path, "r");
  try {
    let length = 0;
    while (length < buffer.length) {
      const read = readSync(file, buffer, length, buffer.length - length, null);
      if (read === 0) break;
      length += read;
    }
    return buffer.toString("utf8", 0, length);
  } finally {
    closeSync(file);
  }
}
