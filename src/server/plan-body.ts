import type { Context } from "hono";
import { PLAN_LIMITS } from "../core/plan-limits.js";
import { readPlanDocument } from "../core/plan-text.js";
import { badRequest, type FieldProblem } from "./problems.js";

const JSON_TYPE = /^application\/([\w.-]+\+)?json$/;
const YAML_TYPE = /^(application|text)\/(x-)?yaml$/;

/**
 * The plan document a request body holds, JSON or YAML, read as `rollout` and `plan lint` read a
 * plan file: no further than one byte past the most a plan may be, then by the same parser, so a
 * body too large, not valid YAML or JSON, or an alias bomb gets their words, naming it "plan".
 */
export async function readPlanBody(c: Context): Promise<{ document: Record<string, unknown> } | { problem: FieldProblem }> {
  const contentType = c.req.header("content-type")?.split(";")[0]!.trim().toLowerCase();
  if (contentType !== undefined && !JSON_TYPE.test(contentType) && !YAML_TYPE.test(contentType)) {
    throw badRequest(`send the plan as application/json or application/yaml, not ${contentType}`, [{ field: "header.content-type", message: "must be application/json or application/yaml" }]);
  }
  const read = readPlanDocument(await textOfAtMost(c.req.raw, PLAN_LIMITS.textBytes + 1));
  return "problem" in read ? { problem: { field: "body", message: read.problem } } : read;
}

/** The plan document of the body, or a 400 naming it "plan": "plan is not valid YAML or JSON at line 2, ...". */
export async function planBodyOrThrow(c: Context): Promise<Record<string, unknown>> {
  const read = await readPlanBody(c);
  if ("problem" in read) throw badRequest(`plan ${read.problem.message}`, [read.problem]);
  return read.document;
}

/** The body's first `bytes` bytes as text; the rest is never read, and the server discards it. */
async function textOfAtMost(request: Request, bytes: number): Promise<string> {
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  while (length < bytes) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    length += value.byteLength;
  }
  reader.releaseLock();
  return new TextDecoder().decode(Buffer.concat(chunks).subarray(0, bytes));
}
