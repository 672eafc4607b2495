import { z } from "@hono/zod-openapi";
import { createHash } from "node:crypto";
import type { Context } from "hono";
import { TeamReleases } from "../store/team-releases.js";
import type { ServerEnv } from "./context.js";
import { HttpProblem } from "./problems.js";

export const IdempotencyHeaders = z.object({
  "idempotency-key": z
    .string()
    .min(1)
    .max(200)
    .optional()
    .openapi({
      param: { name: "idempotency-key", in: "header" },
      description: "Repeating the request with the same key returns the first answer instead of acting twice.",
    }),
});

export const IDEMPOTENCY_REPLAYED = { "Idempotent-Replayed": "true" };

/**
 * Runs `work` once per Idempotency-Key and team: a retry of the same request with the same key
 * gets the first answer again, marked replayed; the key with a different request is refused.
 * Without a key, `work` just runs.
 */
export async function once<T>(
  c: Context<ServerEnv>,
  key: string | undefined,
  request: unknown,
  status: number,
  work: () => Promise<T>,
): Promise<{ body: T; replayed: boolean }> {
  if (key === undefined) return { body: await work(), replayed: false };
  const { services, access } = c.var;
  const keys = new TeamReleases(services.db);
  const fingerprint = createHash("sha256").update(`${c.req.method} ${c.req.path} ${JSON.stringify(request)}`).digest("hex");
  const remembered = await keys.rememberedResponse(access.team.id, key);
  if (remembered && remembered.fingerprint !== fingerprint) {
    throw new HttpProblem(422, "idempotency_key_reused", "this Idempotency-Key was used for a different request; use a new key for each request");
  }
  if (remembered) return { body: remembered.body as T, replayed: true };
  const body = await work();
  await keys.rememberResponse(access.team.id, key, { fingerprint, status, body }, new Date(services.clock.now()));
  return { body, replayed: false };
}
