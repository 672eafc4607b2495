import { BUILTIN_PLANS } from "./builtin-plans.js";
import { parsePlan, PlanError, type Plan } from "./plan.js";

/** A problem and the request field it is in, as the API names it: `body.stages[1].percent`. */
export interface FieldProblem {
  field: string;
  message: string;
}

/** Names a saved plan cannot take, because they are paths of the plans API. */
const RESERVED_PLAN_NAMES = new Set(["validate"]);

/**
 * Every problem of a plan document that is to be saved, by field: parsePlan's, which every plan
 * gets, and the names the API keeps for itself. The API answers with these, `plan lint` prints
 * them, and the dashboard shows them as the plan is typed.
 */
export function checkPlanDocument(document: Record<string, unknown>): { plan: Plan; problems: [] } | { plan?: undefined; problems: FieldProblem[] } {
  const plan = parsePlan(document);
  const problems = plan instanceof PlanError ? planErrorFields(plan) : [];
  const name = document.name;
  if (typeof name === "string" && RESERVED_PLAN_NAMES.has(name)) {
    problems.push({ field: "body.name", message: `${name} is reserved by the API; choose another name` });
  }
  return problems.length > 0 || plan instanceof PlanError ? { problems } : { plan, problems: [] };
}

/** Why a team plan cannot take this name, when a built-in plan has it. */
export function builtInNameProblem(name: string): string | undefined {
  return Object.hasOwn(BUILTIN_PLANS, name) ? `${name} is a built-in plan and cannot be changed; save yours under another name` : undefined;
}

/** PlanError's message, "invalid plan: plan.stages[1].percent must be ... (got 5); plan.x: unknown field ...", as fields. */
export function planErrorFields(error: PlanError): FieldProblem[] {
  return error.message
    .replace(/^invalid plan[^:]*: /, "")
    .split(/; (?=plan[.[ ])/)
    .map((issue) => {
      const match = /^plan((?:\.[^\s.[:]+|\[\d+\])*):? ([\s\S]*)$/.exec(issue);
      return match ? { field: `body${match[1]}`, message: match[2]! } : { field: "body", message: issue };
    });
}
