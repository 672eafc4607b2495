import { BUILTIN_PLANS, planFromStages } from "../core/builtin-plans.js";
import { parsePlanText, PlanError, type Plan } from "../core/plan.js";
import { UsageError } from "./exit-codes.js";
import { readPlanFile } from "./plans/read-plan-file.js";

export interface PlanOptions {
  plan?: string;
  stages?: string;
  soak?: string;
}

/** The plan named by --plan (a built-in name or a YAML/JSON file) or built from --stages and --soak. */
export function resolvePlan({ plan, stages, soak }: PlanOptions): Plan {
  if (stages !== undefined) {
    if (plan !== undefined) throw new UsageError("give either --plan or --stages, not both");
    return orThrow(planFromStages(stages, soak ?? "15m"));
  }
  if (soak !== undefined) throw new UsageError("--soak goes with --stages");
  const name = plan ?? "standard";
  if (Object.hasOwn(BUILTIN_PLANS, name)) return BUILTIN_PLANS[name]!;
  let text: string;
  try {
    text = readPlanFile(name);
  } catch {
    const builtins = Object.keys(BUILTIN_PLANS).join(", ");
    throw new UsageError(`--plan ${name}: no such built-in plan (${builtins}) and no readable file by that name`);
  }
  return orThrow(parsePlanText(text, name));
}

function orThrow(plan: Plan | PlanError): Plan {
  if (plan instanceof PlanError) throw new UsageError(plan.message);
  return plan;
}
