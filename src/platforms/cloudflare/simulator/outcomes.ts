/**
 * How a simulated invocation ends: workerd's EventOutcome (src/workerd/io/outcome.capnp), which
 * Workers Observability answers as `$workers.outcome`; GraphQL's `status` is derived from it.
 */
export const OUTCOMES = [
  "ok",
  "canceled",
  "responseStreamDisconnected",
  "exception",
  "exceededCpu",
  "exceededMemory",
  "loadShed",
  "killSwitch",
  "daemonDown",
  "scriptNotFound",
  "unknown",
] as const;

export type Outcome = (typeof OUTCOMES)[number];

/** The outcomes a version's rates can name: ok takes the share the others leave. */
export const RATED_OUTCOMES = OUTCOMES.filter((outcome): outcome is Exclude<Outcome, "ok"> => outcome !== "ok");

export function isOutcome(name: string): name is Outcome {
  return (OUTCOMES as readonly string[]).includes(name);
}
