import { CannotListen } from "../support/listen.js";
import { ExitCode, UsageError } from "./exit-codes.js";

/**
 * Wraps a command's action: a UsageError, or an address the command cannot listen on, prints its
 * message and exits 2; anything else prints its message and exits 1 (with the stack only when
 * GLIDEPATH_DEBUG is set). The action returns the exit code; returning nothing means 0.
 */
export function runCommand<Args extends unknown[]>(
  action: (...args: Args) => Promise<number | void>,
): (...args: Args) => Promise<void> {
  return async (...args: Args) => {
    try {
      process.exitCode = (await action(...args)) ?? 0;
    } catch (error) {
      process.exitCode = error instanceof UsageError || error instanceof CannotListen ? ExitCode.badInput : ExitCode.internalError;
      const message = error instanceof Error ? error.message : String(error);
      process.stderr.write(`glidepath: ${message}\n`);
      if (process.env.GLIDEPATH_DEBUG && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
    }
  };
}
