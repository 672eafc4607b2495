import type { z } from "zod";

/**
 * One zod issue in words a user can act on: the path from `root` (`plan.stages[1].percent`),
 * what is wrong, and the value given. `messageOf` lets a schema word an issue its own way.
 */
export function describeIssue(
  root: string,
  input: unknown,
  issue: z.core.$ZodIssue,
  messageOf: (issue: z.core.$ZodIssue, value: unknown) => string = (issue) => issue.message,
): string {
  const pathText = (path: PropertyKey[]) =>
    path.reduce<string>((text, key) => (typeof key === "number" ? `${text}[${key}]` : `${text}.${String(key)}`), root);
  if (issue.code === "unrecognized_keys") {
    return issue.keys
      .map((key) => `${pathText([...issue.path, key])}: unknown field (${gotText(valueAt(input, [...issue.path, key]))})`)
      .join("; ");
  }
  const value = valueAt(input, issue.path);
  return `${pathText(issue.path)} ${messageOf(issue, value)} (${gotText(value)})`;
}

function gotText(value: unknown): string {
  return value === undefined ? "missing" : `got ${JSON.stringify(value)}`;
}

function valueAt(input: unknown, path: PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}
