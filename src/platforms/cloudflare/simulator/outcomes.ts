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

export function isOutcome(name: string): name is Outcome {
  return (OUTCOMES as readonly string[]).includes(name);
}
