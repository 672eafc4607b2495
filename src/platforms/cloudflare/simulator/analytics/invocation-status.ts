import type { Outcome } from "../outcomes.js";

/** The `status` dimension of `workersInvocationsAdaptive`, as far as the simulator produces it. */
export type InvocationStatus =
  | "success"
  | "clientDisconnected"
  | "responseStreamDisconnected"
  | "scriptThrewException"
  | "exceededResources"
  | "internalError";

/**
 * The GraphQL status of an invocation with each outcome. Cloudflare does not publish how one
 * becomes the other: this mapping is the simulator's choice, by the meaning of the names (the
 * outcomes that are Cloudflare's side not running the Worker become internalError).
 */
export const INVOCATION_STATUS: Record<Outcome, InvocationStatus> = {
  ok: "success",
  canceled: "clientDisconnected",
  responseStreamDisconnected: "responseStreamDisconnected",
  exception: "scriptThrewException",
  exceededCpu: "exceededResources",
  exceededMemory: "exceededResources",
  loadShed: "internalError",
  killSwitch: "internalError",
  daemonDown: "internalError",
  scriptNotFound: "internalError",
  unknown: "internalError",
};

/**
 * Whether invocations with this outcome count in `sum.errors`: the dashboard's Errors
 * (scriptThrewException, exceededResources, internalError). Field reports show
 * responseStreamDisconnected rows with `sum.errors` 0.
 */
export function countsAsError(outcome: Outcome): boolean {
  const status = INVOCATION_STATUS[outcome];
  return status === "scriptThrewException" || status === "exceededResources" || status === "internalError";
}
