import { z } from "zod";

/** Lowercase letters, digits and dashes: the names that appear in URLs (teams, plans, targets, connections). */
export const slugSchema = z
  .string()
  .min(1)
  .max(63)
  .regex(/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/, "use lowercase letters, digits and dashes, starting and ending with a letter or digit");
