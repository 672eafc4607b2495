import { builtInNameProblem, checkPlanDocument } from "../../core/plan-check.js";
import { readPlanDocument } from "../../core/plan-text.js";
import type { Plan } from "../../core/plan.js";
import { readPlanFile } from "./read-plan-file.js";

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
export function readPlanFiles(paths: string[]): { files: PlanFile[]; invalid: PlanFileProblems[] } {
  const files: PlanFile[] = [];
  const invalid: PlanFileProblems[] = [];
  for (const path of paths) {
    const read = checkPlanFile(path);
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

function checkPlanFile(path: string): PlanFile | PlanFileProblems {
  let text: string;
  try {
    text = readPlanFile(path);
  } catch (error) {
    return { path, problems: [`cannot be read: ${(error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (error as Error).message}`] };
  }
  const read = readPlanDocument(text);
  if ("problem" in read) return { path, problems: [read.problem] };
  const checked = checkPlanDocument(read.document);
  if (!checked.plan) return { path, problems: checked.problems.map(({ field, message }) => `${field.replace(/^body\.?/, "") || "plan"}: ${message}`) };
  return { path, document: read.document, plan: checked.plan };
}
