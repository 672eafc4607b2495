import { z } from "zod";

/** The parts of Cloudflare's answers Glidepath reads; everything else passes unchecked. */

const versionSchema = z.object({
  id: z.string(),
  number: z.number().optional(),
  metadata: z
    .object({
      created_on: z.string().optional(),
      author_email: z.string().optional(),
      source: z.string().optional(),
    })
    .optional(),
  // A sibling of `metadata` that the SDK's types leave out.
  annotations: z.object({ "workers/message": z.string().optional(), "workers/tag": z.string().optional() }).optional(),
});
export type WorkerVersion = z.infer<typeof versionSchema>;

export const versionPageSchema = z.object({ result: z.object({ items: z.array(versionSchema) }) });

export const deploymentVersionSchema = z.object({ version_id: z.string(), percentage: z.number() });
export type DeploymentVersion = z.infer<typeof deploymentVersionSchema>;

export const deploymentSchema = z.object({
  id: z.string(),
  created_on: z.string(),
  versions: z.array(deploymentVersionSchema),
  annotations: z.object({ "workers/message": z.string().optional() }).optional(),
});
export type Deployment = z.infer<typeof deploymentSchema>;

/** The SDK types this list as pages of items, but its `result` is `{deployments: [...]}`, newest first. */
export const deploymentListSchema = z.object({ result: z.object({ deployments: z.array(deploymentSchema) }) });
