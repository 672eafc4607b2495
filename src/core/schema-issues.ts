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
  // A list that is too long or too short is told by its length, not its items.
  const got = (issue.code === "too_big" || issue.code === "too_small") && Array.isArray(value) ? `got ${value.length}` : gotText(value);
  return `${pathText(issue.path)} ${messageOf(issue, value)} (${got})`;
}

function gotText(value: unknown): string {
  return value === undefined ? "missing" : `got ${valueText(value)}`;
}

const SHOWN_CHARACTERS = 40;

/**
 * A value as it was given, in JSON; a long one cut to its first 40 characters and its length, so a
 * message about a 50 MB name stays one line. Infinity and NaN, which JSON writes as null, by name.
 */
export function valueText(value: unknown): string {
  if (typeof value === "number") return String(value);
  if (typeof value === "string") {
    return value.length > 2 * SHOWN_CHARACTERS ? `${JSON.stringify(value.slice(0, SHOWN_CHARACTERS))}…, ${value.length} characters` : JSON.stringify(value);
  }
  const json = JSON.stringify(value) ?? String(value);
  return json.length > 2 * SHOWN_CHARACTERS ? `${json.slice(0, SHOWN_CHARACTERS)}…, ${json.length} characters of JSON` : json;
}

function valueAt(input: unknown, path: PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}
