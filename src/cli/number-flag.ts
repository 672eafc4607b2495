import { UsageError } from "./exit-codes.js";

/**
 * Reads the number given to a flag, or throws a UsageError naming the flag, what it takes and
 * what it got: `--rps must be a number above 0, got "fast"`.
 */
export function parseNumberFlag(flag: string, text: string, expected: string, isAllowed: (value: number) => boolean): number {
  const value = text.trim() === "" ? Number.NaN : Number(text);
  if (!Number.isFinite(value) || !isAllowed(value)) throw new UsageError(`${flag} must be ${expected}, got "${text}"`);
  return value;
}

/** Reads a TCP port; 0 asks the system for a free one. */
export function parsePortFlag(flag: string, text: string): number {
  return parseNumberFlag(flag, text, "a port from 0 to 65535", (n) => Number.isInteger(n) && n >= 0 && n <= 65535);
}
