import { z } from "zod";
import { BUILTIN_PLANS } from "../../../../src/core/builtin-plans";
import { parsePlan, PlanError, type Plan } from "../../../../src/core/plan";
import type { PlanDocument } from "./plan-form";

export interface FieldProblem {
  /** As the API names it, e.g. `body.stages[1].percent`. */
  field: string;
  message: string;
}

/*
 * What POST /plans answers for a document, computed here with the same parser so the editor shows
 * the API's messages as the user types. Mirrors checkPlan, planErrorFields and SlugSchema of
 * src/server (which cannot be bundled for the browser); keep them in step.
 */

const SlugSchema = z
  .string()
  .min(1)
  .max(63)
  .regex(/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/, "use lowercase letters, digits and dashes, starting and ending with a letter or digit");

const RESERVED_NAMES = new Set(["validate"]);

/** Every problem the API would report for this document, with the field it is in. */
export function checkPlanDocument(document: PlanDocument): { plan: Plan | undefined; problems: FieldProblem[] } {
  const plan = parsePlan(document);
  const problems = plan instanceof PlanError ? planErrorFields(plan) : [];
  const name = document.name;
  const slug = typeof name === "string" ? SlugSchema.safeParse(name) : undefined;
  if (typeof name === "string" && name !== "" && slug && !slug.success) {
    problems.push({ field: "body.name", message: `${slug.error.issues[0]!.message}; a saved plan's name appears in URLs` });
  } else if (typeof name === "string" && RESERVED_NAMES.has(name)) {
    problems.push({ field: "body.name", message: `${name} is reserved by the API; choose another name` });
  }
  return { plan: plan instanceof PlanError ? undefined : plan, problems };
}

/** The 409 POST /plans answers for a built-in plan's name, known before saving. */
export function builtInNameProblem(name: string): FieldProblem | undefined {
  return Object.hasOwn(BUILTIN_PLANS, name)
    ? { field: "body.name", message: `${name} is a built-in plan and cannot be changed; save yours under another name` }
    : undefined;
}

function planErrorFields(error: PlanError): FieldProblem[] {
  return error.message
    .replace(/^invalid plan[^:]*: /, "")
    .split(/; (?=plan[.[ ])/)
    .map((issue) => {
      const match = /^plan((?:\.[^\s.[:]+|\[\d+\])*):? ([\s\S]*)$/.exec(issue);
      return match ? { field: `body${match[1]}`, message: match[2]! } : { field: "body", message: issue };
    });
}
