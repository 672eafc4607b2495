import { z } from "zod";

/** Lowercase letters, digits and dashes: the names that appear in URLs (teams, plans, targets, connections). */
export const slugSchema = z
  .string()
  // One message at a time: an empty or overlong name is not also told which characters to use.
  .min(1, { error: "must not be empty", abort: true })
  .max(63, { error: "must be at most 63 characters", abort: true })
  .regex(/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/, "use lowercase letters, digits and dashes, starting and ending with a letter or digit");
