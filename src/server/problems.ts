import { z } from "@hono/zod-openapi";

export interface FieldProblem {
  /** Where the bad value is: "body", "query", "path" or "header", then its path, e.g. "body.stages[1].percent". */
  field: string;
  message: string;
}

export const ProblemSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: "invalid_request" }),
      message: z.string(),
      fields: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
    }),
  })
  .openapi("Problem");

export type ProblemStatus = 400 | 401 | 403 | 404 | 409 | 413 | 422 | 429 | 503;

/** An answer other than success, with a message the caller can act on. Thrown by handlers, answered by the app. */
export class HttpProblem extends Error {
  constructor(
    readonly status: ProblemStatus,
    readonly code: string,
    message: string,
    readonly fields?: FieldProblem[],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "HttpProblem";
  }

  body(): z.infer<typeof ProblemSchema> {
    return { error: { code: this.code, message: this.message, ...(this.fields && { fields: this.fields }) } };
  }
}

export const notFound = (what: string) => new HttpProblem(404, "not_found", `no ${what} here, or your token cannot see it`);
export const conflict = (message: string) => new HttpProblem(409, "conflict", message);
export const badRequest = (message: string, fields?: FieldProblem[]) => new HttpProblem(400, "invalid_request", message, fields);
