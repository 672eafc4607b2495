import { readFile, writeFile } from "node:fs/promises";
import { planJsonSchema } from "../src/core/plan.js";

/** Where editors find the plan schema: `# yaml-language-server: $schema=...` or VS Code's yaml.schemas. */
export const PLAN_SCHEMA_FILE = new URL("../docs/plan.schema.json", import.meta.url);

export function renderPlanSchema(): string {
  return `${JSON.stringify(planJsonSchema(), null, 2)}\n`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const fresh = renderPlanSchema();
  const current = await readFile(PLAN_SCHEMA_FILE, "utf8").catch(() => "");
  if (fresh === current) console.log("docs/plan.schema.json is current");
  else {
    await writeFile(PLAN_SCHEMA_FILE, fresh);
    console.log("wrote docs/plan.schema.json");
  }
}
