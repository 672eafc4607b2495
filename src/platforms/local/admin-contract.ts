import { z } from "zod";
import { STATUS_CLASSES } from "./traffic-stats.js";

/** The wire format of the proxy admin API, shared by the server and its clients. */

const splitSchema = z.array(z.strictObject({ version: z.string().min(1), percent: z.number() })).min(1);

/** Body of PUT /split. */
export const splitChangeSchema = z.strictObject({
  split: splitSchema,
  note: z.string().max(1000).optional(),
});

/** Answer of GET /split and PUT /split; also the content of the split file. */
export const splitStateSchema = z.object({
  split: splitSchema,
  /** ISO 8601 time of the last change. */
  updatedAt: z.string(),
  note: z.string(),
});
export type SplitState = z.infer<typeof splitStateSchema>;

/** Answer of GET /versions. */
export const versionsSchema = z.object({
  versions: z.array(z.object({ id: z.string(), url: z.string() })),
});

const versionTrafficSchema = z.object({
  requests: z.number(),
  errors: z.number(),
  byClass: z.record(z.enum(STATUS_CLASSES), z.number()),
  /** One count per bound in `latencyBucketBoundsMs`, then one for slower requests. */
  latencyBuckets: z.array(z.number()),
  latencySumMs: z.number(),
});

/** Answer of GET /stats. Times are epoch milliseconds. */
export const statsSchema = z
  .object({
    proxyStartedAt: z.number(),
    from: z.number(),
    to: z.number(),
    /** The finite bucket bounds; JSON has no Infinity, so the +Inf bucket is implied. */
    latencyBucketBoundsMs: z.array(z.number()),
    versions: z.record(z.string(), versionTrafficSchema),
  })
  .refine(
    ({ latencyBucketBoundsMs, versions }) =>
      Object.values(versions).every(({ latencyBuckets }) => latencyBuckets.length === latencyBucketBoundsMs.length + 1),
    { message: "every latencyBuckets needs one count per bound and one for the +Inf bucket" },
  );
export type StatsAnswer = z.infer<typeof statsSchema>;

/** Every error answer of the admin API. */
export const errorSchema = z.object({
  error: z.object({ code: z.string(), message: z.string() }),
});
export type ErrorAnswer = z.infer<typeof errorSchema>;

export function errorAnswer(code: string, message: string): ErrorAnswer {
  return { error: { code, message } };
}
