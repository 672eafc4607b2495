import { readFile } from "node:fs/promises";
import YAML from "yaml";
import { builtInNameProblem, checkPlanDocument } from "../../core/plan-check.js";
import type { Plan } from "../../core/plan.js";

/** A plan file as read: its document as written, and the plan it describes. */
export interface PlanFile {
  path: string;
  document: Record<string, unknown>;
  plan: Plan;
}

/** What is wrong with one file, each problem with the field it is in. */
export interface PlanFileProblems {
  path: string;
  problems: string[];
}

/**
 * Reads and checks plan files with the server's own checks, so a file that passes here is one the
 * server takes: the same messages, before anything is sent. Two files may not name the same plan,
 * and no file may take a built-in plan's name.
 */
export async function readPlanFiles(paths: string[]): Promise<{ files: PlanFile[]; invalid: PlanFileProblems[] }> {
  const files: PlanFile[] = [];
  const invalid: PlanFileProblems[] = [];
  for (const path of paths) {
    const read = await readPlanFile(path);
    if ("problems" in read) invalid.push(read);
    else files.push(read);
  }
  const byName = new Map<string, string>();
  for (const file of files) {
    const builtIn = builtInNameProblem(file.plan.name);
    const other = byName.get(file.plan.name);
    if (builtIn) invalid.push({ path: file.path, problems: [`name: ${builtIn}`] });
    else if (other) invalid.push({ path: file.path, problems: [`name: ${file.plan.name} is also the name of the plan in ${other}; each plan needs its own name`] });
    byName.set(file.plan.name, file.path);
  }
  return { files, invalid };
}

async function readPlanFile(path: string): Promise<PlanFile | PlanFileProblems> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    return { path, problems: [`cannot be read: ${(error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (error as Error).message}`] };
  }
  const parsed = YAML.parseDocument(text);
  const [syntax] = parsed.errors;
  if (syntax) return { path, problems: [`is not valid YAML or JSON: ${syntax.message.split("\n")[0]}`] };
  const document: unknown = parsed.toJS();
  if (typeof document !== "object" || document === null || Array.isArray(document)) {
    return { path, problems: ["must hold one plan: a mapping with name, stages, slos and policy"] };
  }
  const checked = checkPlanDocument(document as Record<string, unknown>);
  if (!checked.plan) return { path, problems: checked.problems.map(({ field, message }) => `${field.replace(/^body\.?/, "") || "plan"}: ${message}`) };
  return { path, document: document as Record<string, unknown>, plan: checked.plan };
}
