/**
 * What the database's failures mean to the rest of the server, without it knowing the driver:
 * whether the database is out of reach (answer 503 and try again), and a message that never
 * carries a query's parameters (drivers put them in their messages, tokens' hashes among them).
 */

/** Connection failures of the socket, and PostgreSQL's classes 08 (connection exception) and 57P (operator intervention: shutdown, restart). */
const UNREACHABLE_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "EHOSTUNREACH", "ENETUNREACH", "ENOTFOUND", "EAI_AGAIN"]);
const UNREACHABLE_MESSAGES = /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection ended unexpectedly/i;

/** Whether an error (or one of its causes) says the database cannot be reached right now. */
export function isDatabaseUnavailable(error: unknown): boolean {
  return causes(error).some((cause) => {
    const { code, message } = cause as { code?: unknown; message?: unknown };
    if (typeof code === "string" && (UNREACHABLE_CODES.has(code) || code.startsWith("08") || code.startsWith("57P"))) return true;
    return typeof message === "string" && UNREACHABLE_MESSAGES.test(message);
  });
}

/** Whether the error is, or wraps, a failed query: its message and stack hold the query's parameters. */
export function isQueryError(error: unknown): boolean {
  return causes(error).some(isFailedQuery);
}

function isFailedQuery(cause: object): boolean {
  return "query" in cause && "params" in cause;
}

/** The error's message, or for a failed query its driver's own message: never the query's parameters. */
export function describeDatabaseError(error: unknown): string {
  const chain = causes(error);
  const failedQuery = chain.findIndex(isFailedQuery);
  if (failedQuery < 0) return messageOf(error) ?? String(error);
  const driverMessage = chain.slice(failedQuery + 1).map(messageOf).find((message) => message !== undefined);
  return driverMessage ?? "a database query failed";
}

function messageOf(error: unknown): string | undefined {
  const message = (error as { message?: unknown } | null | undefined)?.message;
  return typeof message === "string" && message !== "" ? message : undefined;
}

/** The error and its causes, outermost first; an AggregateError's errors count as causes. */
function causes(error: unknown): object[] {
  const found: object[] = [];
  const pending = [error];
  while (pending.length > 0 && found.length < 16) {
    const next = pending.shift();
    if (typeof next !== "object" || next === null || found.includes(next)) continue;
    found.push(next);
    pending.push((next as { cause?: unknown }).cause, ...((next as { errors?: unknown[] }).errors ?? []));
  }
  return found;
}
