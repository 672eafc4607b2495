import { z } from "zod";

const quantiles = z.object({ p50: z.number(), p99: z.number() }).partial();

export const behaviourChangeSchema = z
  .object({
    errorRate: z.number(),
    latencyMs: quantiles,
    cpuMs: quantiles,
    clientDisconnectRate: z.number(),
    /** Outcome names are checked with the rest of the behaviour, so that the message can list the known ones. */
    outcomeRates: z.record(z.string(), z.number()),
    subrequestsPerRequest: z.number(),
  })
  .partial()
  .strict();

export const newVersionSchema = z.object({ behaviour: behaviourChangeSchema.optional(), message: z.string().optional() }).strict();

export const newScriptSchema = z
  .object({
    accountId: z.string().optional(),
    script: z.string(),
    rps: z.number().optional(),
    versions: z.array(newVersionSchema).optional(),
  })
  .strict();

export const rpsSchema = z.object({ rps: z.number() }).strict();

export const handDeploymentSchema = z
  .object({
    versions: z.array(z.object({ version_id: z.string(), percentage: z.number() }).strict()),
    message: z.string().optional(),
  })
  .strict();

export const faultSchema = z
  .object({
    status: z.union([z.literal(429), z.literal(500), z.literal(502), z.literal(503)]),
    count: z.number().optional(),
    untilMs: z.number().optional(),
    retryAfterSeconds: z.number().optional(),
  })
  .strict();

export const apiLatencySchema = z.object({ ms: z.number() }).strict();

export const metricsDeliverySchema = z.object({ lagSeconds: z.number(), sampleInterval: z.number() }).partial().strict();
