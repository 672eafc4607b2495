/** Documented exit codes of every glidepath command. */
export const ExitCode = {
  promoted: 0,
  internalError: 1,
  badInput: 2,
  rolledBack: 3,
  cancelled: 4,
} as const;

/** A problem with what the user asked for: printed without a stack trace, exit 2. */
export class UsageError extends Error {
  override name = "UsageError";
}
