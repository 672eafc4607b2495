import { readFile } from "node:fs/promises";
import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import { BUILTIN_PLANS } from "../src/core/builtin-plans.js";
import { planToInput } from "../src/core/plan.js";
import { PLAN_SCHEMA_FILE, renderPlanSchema } from "../scripts/plan-schema.js";

describe("docs/plan.schema.json", () => {
  it("is generated from the plan schema the parser uses (regenerate with npm run plan:schema)", async () => {
    expect(await readFile(PLAN_SCHEMA_FILE, "utf8")).toBe(renderPlanSchema());
  });

  const validate = new Ajv({ allErrors: true, strict: false }).compile(JSON.parse(renderPlanSchema()) as object);

  it("accepts every built-in plan as a plan file writes it, durations as text", () => {
    for (const plan of Object.values(BUILTIN_PLANS)) {
      expect(validate(planToInput(plan)), `${plan.name}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
    expect(validate({ name: "quick", stages: [{ percent: 10, soak: "90s", progression: "manual" }, { percent: 100 }], policy: { checkInterval: 30 } })).toBe(true);
  });

  it("flags what an editor should underline: unknown fields, percents out of range, an unknown SLI", () => {
    const flagged = (plan: unknown) => (validate(plan) ? [] : validate.errors!.map((error) => `${error.instancePath} ${error.message}`));
    expect(flagged({ name: "p", stages: [{ percent: 100, sok: "1m" }] })).toContain("/stages/0 must NOT have additional properties");
    expect(flagged({ name: "p", stages: [{ percent: 120 }] })).toContain("/stages/0/percent must be <= 100");
    expect(flagged({ name: "p", stages: [{ percent: 100 }], slos: [{ sli: "latency_p42", max: 1 }] })).toContain("/slos/0/sli must be equal to one of the allowed values");
  });
});
