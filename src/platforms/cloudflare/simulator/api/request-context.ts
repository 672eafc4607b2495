import type { Context } from "hono";
import { authenticationError, invalidRequest, scriptNotFound } from "../api-errors.js";
import type { SimulatedScript } from "../model.js";
import type { WorkersState } from "../workers-state.js";

/** The script named by `:account_id` and `:script`, or the API's 403 (unknown account) or 404 (unknown script). */
export function scriptOf(c: Context, state: WorkersState): SimulatedScript {
  const accountId = c.req.param("account_id") ?? "";
  if (!state.hasAccount(accountId)) throw authenticationError();
  const script = state.find(accountId, c.req.param("script") ?? "");
  if (!script) throw scriptNotFound();
  return script;
}

/** The JSON body, or the API's 400 when it is not JSON. */
export async function jsonBody(c: Context): Promise<unknown> {
  try {
    return await c.req.json();
  } catch {
    throw invalidRequest("The request body is not valid JSON");
  }
}
